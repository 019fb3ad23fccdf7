// The peer protocol's number stands for one layout of what the peer link carries. These
// tests pin that layout: a changed type on peer_gateway_actor fails them until
// peer_protocol (messages/control.hpp) is bumped and the new layout recorded here, so two
// releases that would misread each other's state never link (actors/peer.hpp).
#include <doctest/doctest.h>

#include <map>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_serializer.hpp>
#include <fmt/format.h>

#include "actors/interfaces.hpp"

using namespace hbs;

namespace {

// peer_protocol -> the fingerprint of its layout (peer_link_fingerprint below).
const std::map<uint32_t, uint64_t> recorded_layouts = {
  {2, 0x228f2a7ad9acf37e},
};

struct system_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{init(cfg)};
  static caf::actor_system_config& init(caf::actor_system_config& c) {
    add_types(c);
    return c;
  }
};

// Fields of one type hold different values, so a swap of two in inspect() shows.
control_snapshot sample_snapshot(const std::string& host) {
  control_snapshot s;
  s.generation = 1733390000123;
  s.full = true;
  uint64_t g = 1733390000001;
  for (auto type : {cfg::host_type::controller, cfg::host_type::worker,
                    cfg::host_type::storage}) {
    for (bool present : {true, false}) {
      host_record h;
      h.name = fmt::format("{}-{}", host, s.hosts.size());
      h.type = type;
      h.management = fmt::format("192.168.204.{}", 10 + s.hosts.size());
      h.cluster_host = present ? fmt::format("192.168.206.{}", 10 + s.hosts.size()) : "";
      h.present = present;
      h.monitored = !present;
      h.at = {g++, 1};
      h.started_at = {g++, 0};
      s.hosts.push_back(h);
    }
  }
  s.designation = {"controller-1", {g++, 1}};
  s.action = {cfg::failure_action::degrade, {g++, 0}};
  s.tune = {{200, 5, 7, 12}, {g++, 1}};
  s.locks = {{true, {g++, 0}}, {false, {}}};
  return s;
}

uint64_t fnv1a(uint64_t h, const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ULL;
  return h;
}

// The interface as CAF compares it, then one message of every kind the link carries (and
// each reply), serialized as BASP sends them: type names and contents.
uint64_t peer_link_fingerprint(caf::actor_system& sys, const std::string& host) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (auto& signature : sys.message_types<peer_gateway_actor>())
    h = fnv1a(h, signature.data(), signature.size() + 1);
  // Every value of each enumeration carried: a new one changes the layout too.
  for (int v = 0; v < 8; ++v) {
    std::string names = fmt::format("{} {}", cfg::to_string(static_cast<cfg::host_type>(v)),
                                    cfg::to_string(static_cast<cfg::failure_action>(v)));
    h = fnv1a(h, names.data(), names.size());
  }
  std::vector<caf::message> samples = {
    caf::make_message(sync_atom_v, sample_snapshot(host)),
    caf::make_message(table_atom_v, std::string{R"([{"host":"worker-0"}])"}),
    caf::make_message(mnfa_atom_v, mnfa_report{true, false, false, false}),
    caf::make_message(mnfa_atom_v, mnfa_report{false, true, false, false}),
    caf::make_message(mnfa_atom_v, mnfa_report{false, false, true, false}),
    caf::make_message(mnfa_atom_v, mnfa_report{false, false, false, true}),
    caf::make_message(handoff_atom_v, sample_snapshot(host)),
    caf::make_message(true),
    caf::make_message(ping_atom_v),
    caf::make_message(uint64_t{42}),
    caf::make_message(protocol_atom_v),
    caf::make_message(uint32_t{peer_protocol}, std::string{"1.2.3"}),
  };
  for (auto& m : samples) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    REQUIRE_FALSE(sink(m));
    h = fnv1a(h, buf.data(), buf.size());
  }
  return h;
}

} // namespace

TEST_CASE_FIXTURE(system_fixture, "the peer link's layout is the one recorded for this peer "
                                  "protocol") {
  auto now = peer_link_fingerprint(sys, "storage-0");
  INFO(fmt::format("the layout of what the peer link carries is {:#x}; if a type on "
                   "peer_gateway_actor changed on purpose, bump peer_protocol in "
                   "messages/control.hpp and record the new layout in this file",
                   now));
  REQUIRE(recorded_layouts.count(peer_protocol) == 1);
  CHECK(recorded_layouts.at(peer_protocol) == now);
}

TEST_CASE_FIXTURE(system_fixture, "the layout's fingerprint sees a changed value, so a "
                                  "changed field cannot slip by") {
  CHECK(peer_link_fingerprint(sys, "storage-0") == peer_link_fingerprint(sys, "storage-0"));
  CHECK(peer_link_fingerprint(sys, "storage-0") != peer_link_fingerprint(sys, "storage-1"));
}

TEST_CASE("every recorded peer protocol has a layout of its own") {
  std::set<uint64_t> seen;
  for (auto& [protocol, layout] : recorded_layouts) {
    CAPTURE(protocol);
    CHECK(seen.insert(layout).second);
  }
  CHECK(recorded_layouts.rbegin()->first == peer_protocol); // the newest is this release's
}
