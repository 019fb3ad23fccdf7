#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "messages/mtc_message.hpp"

using namespace hbs::wire;

namespace {

std::vector<uint8_t> command(mtc_command c, const std::string& host, const std::string& mgmt = "",
                             const std::string& clstr = "", uint32_t type = node_worker) {
  std::vector<uint8_t> out(mtc_message_size);
  mtc_command_message m{c, host, mgmt, clstr, type};
  REQUIRE(encode_mtc_command(m, {out.data(), out.size()}) == mtc_message_size);
  return out;
}

mtc_error decode(const std::vector<uint8_t>& b, mtc_command_message& m) {
  return decode_mtc_command({b.data(), b.size()}, m);
}

std::string text_at(const std::vector<uint8_t>& b, size_t at) {
  return reinterpret_cast<const char*>(b.data() + at);
}

} // namespace

TEST_CASE("an mtcAgent command is laid out as StarlingX's 1060-byte mtc_message_type") {
  auto b = command(mtc_command::add_host, "worker-3", "192.168.204.13", "192.168.206.13",
                   node_worker);
  CHECK(text_at(b, 0) == "cgts mtc hbs cmd:");
  CHECK(text_at(b, 18) == "worker-3"); // the legacy name slot
  CHECK(load_u16(b.data() + 64) == 2); // key=value in the buffer
  CHECK(load_u32(b.data() + 68) == 0); // at offset 0
  CHECK(load_u32(b.data() + 72) == 0x11110010);
  CHECK(load_u32(b.data() + 76) == 1);
  CHECK(load_u32(b.data() + 80) == node_worker);
  CHECK(text_at(b, 100) == R"({"cluster_host_ip":"192.168.206.13","hostname":"worker-3",)"
                           R"("mgmt_ip":"192.168.204.13"})");
  mtc_command_message m;
  REQUIRE(decode(b, m) == mtc_error::none);
  CHECK(m.command == mtc_command::add_host);
  CHECK(m.host == "worker-3");
  CHECK(m.mgmt_ip == "192.168.204.13");
  CHECK(m.cluster_host_ip == "192.168.206.13");
  CHECK(m.node_type == node_worker);
}

TEST_CASE("every mtcAgent command code decodes, with and without a host") {
  for (auto c : {mtc_command::add_host, mtc_command::del_host, mtc_command::mod_host,
                 mtc_command::start_host, mtc_command::stop_host, mtc_command::active_ctrl,
                 mtc_command::restart_hbs, mtc_command::backoff_hbs, mtc_command::recover_hbs}) {
    mtc_command_message m;
    CHECK(decode(command(c, "controller-1"), m) == mtc_error::none);
    CHECK(m.command == c);
  }
  mtc_command_message m; // BACKOFF and RECOVER name nobody
  CHECK(decode(command(mtc_command::backoff_hbs, ""), m) == mtc_error::none);
  CHECK(decode(command(mtc_command::start_host, ""), m) == mtc_error::no_host_name);
  auto b = command(mtc_command::recover_hbs, ""); // regress: fuzz/mtc_command found it
  std::memcpy(b.data() + 18, "cont\"192.168.204\xac", 17);
  std::memset(b.data() + 100, 0, 960);
  REQUIRE(decode(b, m) == mtc_error::none);
  CHECK(m.host.empty()); // not a name: never logged or re-encoded
}

TEST_CASE("a version-1 command names its host in the header and a short one is accepted") {
  auto b = command(mtc_command::start_host, "storage-0");
  store_u16(b.data() + 64, 1);
  std::memset(b.data() + 100, 0, 960); // no JSON
  b.resize(100);                       // and no buffer at all
  mtc_command_message m;
  REQUIRE(decode(b, m) == mtc_error::none);
  CHECK(m.host == "storage-0");
}

TEST_CASE("malformed mtcAgent commands are rejected with their reason") {
  mtc_command_message m;
  auto good = command(mtc_command::add_host, "worker-1", "10.0.0.1");
  auto b = good;
  b.resize(99);
  CHECK(decode(b, m) == mtc_error::short_message);
  b = good;
  b.push_back(0);
  CHECK(decode(b, m) == mtc_error::oversized);
  b = good;
  b[5] = 'X';
  CHECK(decode(b, m) == mtc_error::bad_header);
  b = good;
  store_u32(b.data() + 72, 0x12345678);
  CHECK(decode(b, m) == mtc_error::unknown_command);
  b = good;
  std::strcpy(reinterpret_cast<char*>(b.data() + 100), R"({"hostname":)");
  CHECK(decode(b, m) == mtc_error::bad_json);
  std::strcpy(reinterpret_cast<char*>(b.data() + 100), R"({"hostname":7})");
  CHECK(decode(b, m) == mtc_error::bad_json);
  std::strcpy(reinterpret_cast<char*>(b.data() + 100), R"({"hostname":"a b"})");
  CHECK(decode(b, m) == mtc_error::no_host_name);
  std::strcpy(reinterpret_cast<char*>(b.data() + 100),
              R"({"hostname":"worker-1","mgmt_ip":"10.0.0.300"})");
  CHECK(decode(b, m) == mtc_error::bad_address);
  b = good; // a JSON offset past the end falls back to the header's name
  store_u32(b.data() + 68, 5000);
  CHECK(decode(b, m) == mtc_error::none);
  CHECK(m.host == "worker-1");
  CHECK(m.mgmt_ip.empty());
}

TEST_CASE("a heartbeat event is laid out as StarlingX's §5.8 message") {
  std::vector<uint8_t> b(mtc_message_size, 0xEE);
  REQUIRE(encode_mtc_event(mtc_event::loss, "worker-7", 1, "hbsAgent", {b.data(), b.size()})
          == mtc_message_size);
  CHECK(text_at(b, 0) == "heart beat loss :");
  CHECK(text_at(b, 18) == "worker-7");
  CHECK(load_u16(b.data() + 64) == 2);
  CHECK(load_u32(b.data() + 72) == 0x0000FEAD);
  CHECK(load_u32(b.data() + 76) == 1);
  CHECK(load_u32(b.data() + 80) == 1); // cluster-host
  CHECK(text_at(b, 100) == R"({"hostname":"worker-7","service":"hbsAgent"})");
  CHECK(b[1059] == 0); // the whole struct is written, zero-filled
  encode_mtc_event(mtc_event::minor_set, "worker-7", 0, "hbsAgent", {b.data(), b.size()});
  CHECK(text_at(b, 0) == "heart beat event:");
  CHECK(load_u32(b.data() + 72) == 0xDADEEDAD);
  encode_mtc_event(mtc_event::ready, "controller-0", 0, "hbsAgent", {b.data(), b.size()});
  CHECK(text_at(b, 0) == "heart beat ready:");
  encode_mtc_event(mtc_event::monitor_ready, "worker-7", 0, "hbsClient", {b.data(), b.size()});
  CHECK(text_at(b, 0) == "mtce event msg  :");
  CHECK(load_u32(b.data() + 72) == 0xF0F0F0F0);
  CHECK(text_at(b, 100) == R"({"hostname":"worker-7","service":"hbsClient"})");
  CHECK(encode_mtc_event(mtc_event::loss, "w", 0, "hbsAgent", {b.data(), 1059}) == 0);
}
