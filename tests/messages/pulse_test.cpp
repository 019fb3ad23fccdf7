#include <doctest/doctest.h>

#include <random>

#include "messages/pulse.hpp"
#include "tests/support/golden.hpp"
#include "tests/support/stock_daemons.hpp"

using namespace hbs::wire;
using hbs::test::golden;
using hbs::test::stock_bytes;
using hbs::test::stock_pulse;

namespace {

history sample_history(uint8_t controller, uint8_t network, uint16_t entries) {
  history h;
  h.controller = controller;
  h.network = network;
  for (uint16_t i = 0; i < entries; ++i)
    h.append({static_cast<uint16_t>(10 + i), static_cast<uint16_t>(9 + i)});
  return h;
}

pulse sample_request(uint8_t histories) {
  pulse p;
  p.set_name("worker-0");
  p.sequence = 0x01020304;
  p.clue = 5;
  p.flags = 1u << 8; // controller-1
  p.cluster.period_msec = 100;
  p.cluster.num_histories = histories;
  for (uint8_t i = 0; i < histories; ++i)
    p.cluster.histories[i] = sample_history(1, i, 3);
  return p;
}

std::vector<uint8_t> encode(pulse_kind k, const pulse& p) {
  std::vector<uint8_t> out(max_pulse_size + 16);
  out.resize(encode_pulse(k, p, {out.data(), out.size()}));
  return out;
}

decode_error decode(pulse_kind k, const std::vector<uint8_t>& b) {
  pulse p;
  return decode_pulse(k, {b.data(), b.size()}, p);
}

} // namespace

TEST_CASE("a request with no history is 75 bytes laid out exactly as StarlingX v1") {
  pulse p;
  p.set_name("ab");
  p.sequence = 7;
  p.clue = 2;
  p.cluster.period_msec = 100;
  const std::vector<uint8_t> expected = {
    'c', 'g', 't', 's', ' ', 'p', 'u', 'l', 's', 'e', ' ', 'r', 'e', 'q', ':', // 0..14
    'a', 'b', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                       // 15..30
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                           // 31..46
    7, 0, 0, 0,  2, 0, 0, 0,  0, 0, 0, 0,  1, 0, 0, 0,                        // s c f v
    1, 0, 0xA5, 0x5A, 0, 0, 100, 0, 12, 0, 0, 0,                              // cluster hdr
  };
  CHECK(encode(pulse_kind::request, p) == expected);
}

TEST_CASE("requests with one and two histories match the layout tables") {
  for (uint8_t n : {1, 2}) {
    auto g = golden(63 + 12 + 88 * n)
               .text(0, "cgts pulse req:").text(15, "worker-0")
               .u32(47, 0x01020304).u32(51, 5).u32(55, 0x100).u32(59, 1)
               .cluster(63, 0, 100, 0, n);
    for (uint8_t i = 0; i < n; ++i)
      g.hist(75 + 88 * i, static_cast<uint16_t>(0x01 | (i << 4)), 3, 3);
    auto bytes = encode(pulse_kind::request, sample_request(n));
    CHECK(bytes.size() == (n == 1 ? 163u : 251u));
    CHECK(bytes == g.b);
  }
}

TEST_CASE("a response with four histories is the 427-byte maximum") {
  pulse p = sample_request(0);
  p.set_name("storage-0");
  p.flags = pmond_flag | cluster_host_flag;
  p.cluster.storage0_enabled = 1;
  p.cluster.num_histories = 4;
  for (uint8_t i = 0; i < 4; ++i) {
    p.cluster.histories[i] = sample_history(i / 2, i % 2, 3);
    p.cluster.histories[i].storage0_responding = true;
    p.cluster.histories[i].sm_heartbeat_fail = (i == 3);
  }
  auto g = golden(427).text(0, "cgts pulse rsp:").text(15, "storage-0")
             .u32(47, 0x01020304).u32(51, 5).u32(55, 3).u32(59, 1).cluster(63, 0, 100, 1, 4);
  const uint16_t words[4] = {0x8000, 0x8010, 0x8001, 0xC011};
  for (int i = 0; i < 4; ++i)
    g.hist(75 + 88 * i, words[i], 3, 3);
  CHECK(encode(pulse_kind::response, p) == g.b);
}

TEST_CASE("encoding then decoding returns every field") {
  auto in = sample_request(2);
  in.cluster.histories[1].sm_heartbeat_fail = true;
  in.cluster.storage0_enabled = 1;
  auto bytes = encode(pulse_kind::request, in);
  pulse out;
  REQUIRE(decode_pulse(pulse_kind::request, {bytes.data(), bytes.size()}, out)
          == decode_error::none);
  CHECK(out.name_view() == "worker-0");
  CHECK(out.sequence == in.sequence);
  CHECK(out.clue == 5);
  CHECK(out.controller() == 1);
  CHECK(out.cluster.num_histories == 2);
  CHECK(out.cluster.storage0_enabled == 1);
  CHECK(out.cluster.histories[1].sm_heartbeat_fail);
  CHECK(out.cluster.histories[1].network == 1);
  CHECK(out.cluster.histories[1].newest() == history_entry{12, 11});
  CHECK(encode(pulse_kind::request, out) == bytes);
}

TEST_CASE("skipping the history entries gives the same verdict and every other field") {
  auto in = sample_request(2);
  in.cluster.histories[1].sm_heartbeat_fail = true;
  auto good = encode(pulse_kind::request, in);
  pulse full, headers;
  REQUIRE(decode_pulse(pulse_kind::request, {good.data(), good.size()}, headers,
                       rings::skipped) == decode_error::none);
  CHECK(headers.cluster.num_histories == 2);
  CHECK(headers.cluster.histories[1].controller == 1);
  CHECK(headers.cluster.histories[1].network == 1);
  CHECK(headers.cluster.histories[1].sm_heartbeat_fail);
  CHECK(headers.cluster.histories[1].entries == 3);
  CHECK(headers.cluster.histories[1].ring[0] == history_entry{}); // not read
  std::mt19937 rng{7};
  size_t rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    auto b = good;
    for (int k = 0; k < 2; ++k)
      b[rng() % b.size()] = static_cast<uint8_t>(rng());
    if (i % 3 == 0)
      b.resize(rng() % (b.size() + 8));
    auto want = decode_pulse(pulse_kind::request, {b.data(), b.size()}, full);
    CHECK(decode_pulse(pulse_kind::request, {b.data(), b.size()}, headers, rings::skipped)
          == want);
    rejected += want != decode_error::none;
  }
  CHECK(rejected > 1000); // the mutations reached checked fields
}

TEST_CASE("a host name of 32 characters or more leaves the name area zeroed") {
  pulse p;
  p.set_name(std::string(32, 'x'));
  CHECK(p.name_view().empty());
  p.set_name(std::string(31, 'x'));
  CHECK(p.name_view().size() == 31);
}

TEST_CASE("a legacy version 0 pulse is the 63-byte header alone") {
  pulse p = sample_request(0);
  p.version = 0;
  auto bytes = encode(pulse_kind::request, p);
  CHECK(bytes.size() == 63);
  CHECK(decode(pulse_kind::request, bytes) == decode_error::none);
}

TEST_CASE("a stock agent's padded requests of 339 and 427 bytes decode, the tail ignored") {
  for (uint8_t stored : {3, 4})
    for (uint8_t sent : {0, 1, 2}) {
      CAPTURE(int{stored});
      CAPTURE(int{sent});
      stock_pulse sp;
      sp.controller = 1;
      sp.flags = 1u << controller_shift;
      sp.clue = 7;
      sp.histories = sent;
      sp.stored = stored;
      auto bytes = stock_bytes(sp);
      CHECK(bytes.size() == (stored == 3 ? 339u : 427u));
      pulse p;
      REQUIRE(decode_pulse(pulse_kind::request, {bytes.data(), bytes.size()}, p)
              == decode_error::none);
      CHECK(p.controller() == 1);
      CHECK(p.clue == 7);
      CHECK(p.name_view() == "worker-0");
      REQUIRE(p.cluster.num_histories == sent);
      for (uint8_t i = 0; i < sent; ++i) {
        CHECK(p.cluster.histories[i].controller == 1);
        CHECK(p.cluster.histories[i].network == i);
        CHECK(p.cluster.histories[i].newest() == history_entry{12, 11});
      }
      // What it declares re-encodes to the bytes before the padding.
      auto again = encode(pulse_kind::request, p);
      CHECK(again.size() == 75u + 88u * sent);
      CHECK(std::equal(again.begin(), again.end(), bytes.begin()));
      // Responses are read with the same rule (a stock client never pads, but may).
      bytes[11] = 'r', bytes[12] = 's', bytes[13] = 'p';
      CHECK(decode(pulse_kind::response, bytes) == decode_error::none);
    }
}

TEST_CASE("legacy version 0 pulses are accepted at any length up to 427 bytes") {
  for (bool request : {true, false})
    for (uint8_t stored : {0, 1, 2, 4}) {
      stock_pulse sp;
      sp.request = request;
      sp.version = 0;
      sp.stored = stored;
      sp.clue = 3;
      auto bytes = stock_bytes(sp);
      CAPTURE(bytes.size());
      pulse p;
      auto kind = request ? pulse_kind::request : pulse_kind::response;
      REQUIRE(decode_pulse(kind, {bytes.data(), bytes.size()}, p) == decode_error::none);
      CHECK(p.version == 0);
      CHECK(p.clue == 3);
      CHECK(p.cluster.num_histories == 0);
      bytes.resize(428);
      CHECK(decode(kind, bytes) == decode_error::oversized);
    }
}

TEST_CASE("padding does not loosen anything else") {
  stock_pulse sp;
  sp.stored = 4;
  auto good = stock_bytes(sp); // 427 bytes declaring 2 histories
  auto with = [&](auto&& change) {
    auto b = good;
    change(b);
    return decode(pulse_kind::request, b);
  };
  CHECK(decode(pulse_kind::request, good) == decode_error::none);
  CHECK(with([](auto& b) { b.push_back(0); }) == decode_error::oversized);
  CHECK(with([](auto& b) { b[0] = 'C'; }) == decode_error::bad_header);
  CHECK(with([](auto& b) { b[56] = 0x02; }) == decode_error::bad_controller);
  CHECK(with([](auto& b) { b[74] = 5; }) == decode_error::too_many_histories);
  CHECK(with([](auto& b) { b[74] = 3; }) == decode_error::bytes_mismatch); // 188 is not 3's
  // Three declared, with the matching 276 bytes: valid (the store had three), not padded.
  CHECK(with([](auto& b) { b[74] = 3; b[71] = 276 & 0xFF; b[72] = 276 >> 8; })
        == decode_error::bad_history); // the zeroed third element has entries_max 0
  CHECK(with([](auto& b) { b.resize(250); }) == decode_error::short_datagram);
  CHECK(with([](auto& b) { b[75] = 0x21; }) == decode_error::bad_network);
}

TEST_CASE("each malformed datagram is rejected with its own reason") {
  auto good = encode(pulse_kind::request, sample_request(1));
  auto with = [&](auto&& change) {
    auto b = good;
    change(b);
    return decode(pulse_kind::request, b);
  };
  CHECK(decode(pulse_kind::request, good) == decode_error::none);
  CHECK(with([](auto& b) { b.resize(10); }) == decode_error::short_datagram);
  CHECK(with([](auto& b) { b.resize(40); }) == decode_error::short_datagram);
  CHECK(with([](auto& b) { b.resize(70); }) == decode_error::short_datagram);
  CHECK(with([](auto& b) { b.resize(150); }) == decode_error::short_datagram);
  CHECK(with([](auto& b) { b.resize(428); }) == decode_error::oversized);
  CHECK(decode(pulse_kind::response, good) == decode_error::bad_header);
  CHECK(with([](auto& b) { b[3] = 'x'; }) == decode_error::bad_header);
  CHECK(with([](auto& b) { b[59] = 2; }) == decode_error::bad_version);
  CHECK(with([](auto& b) { b[63] = 2; }) == decode_error::bad_version);
  CHECK(with([](auto& b) { b[65] = 0x5B; }) == decode_error::bad_magic);
  CHECK(with([](auto& b) { b[74] = 5; }) == decode_error::too_many_histories);
  CHECK(with([](auto& b) { b[71] = 101; }) == decode_error::bytes_mismatch);
  CHECK(with([](auto& b) { b.push_back(0); }) == decode_error::none); // padding: see below
  CHECK(with([](auto& b) { b[56] = 0x02; }) == decode_error::bad_controller);
  CHECK(with([](auto& b) { b[75] = 0x02; }) == decode_error::bad_controller);
  CHECK(with([](auto& b) { b[75] = 0x21; }) == decode_error::bad_network);
  CHECK(with([](auto& b) { b[77] = 21; }) == decode_error::bad_history);
  CHECK(with([](auto& b) { b[81] = 20; }) == decode_error::bad_history);
  CHECK(with([](auto& b) { b[79] = 19; }) == decode_error::bad_history);
}

TEST_CASE("random and mutated bytes never crash the decoder") {
  std::mt19937 rng{42};
  auto good = encode(pulse_kind::request, sample_request(2));
  size_t accepted = 0;
  pulse p;
  for (int i = 0; i < 20000; ++i) {
    auto b = good;
    if (i % 2) {
      b.resize(rng() % 500);
      for (auto& x : b)
        x = static_cast<uint8_t>(rng());
    } else {
      for (int k = 0; k < 3; ++k)
        b[rng() % b.size()] = static_cast<uint8_t>(rng());
    }
    accepted += decode_pulse(pulse_kind::request, {b.data(), b.size()}, p) == decode_error::none;
  }
  CHECK(accepted < 20000); // mutations in checked fields are caught; none crashed
}
