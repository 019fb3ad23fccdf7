// The network actor's own health: periods it could not observe are counted, never blamed on
// hosts. One agent, 50 hosts, simulated network and time.
#include <doctest/doctest.h>

#include "tests/support/agent_fixture.hpp"
#include "actors/link_quality.hpp"
#include "tests/support/stock_daemons.hpp"

using namespace hbs;
using namespace hbs::test;
using namespace std::chrono_literals;

namespace {

// Every response to the management socket is lost the way a full receive queue loses it:
// dropped, and counted by the kernel when `counted` is set.
void lose_management_responses(agent_fixture& f, bool counted) {
  f.simnet.drop = [&f, counted](uint32_t, uint32_t, uint16_t port) {
    if (port != 2103)
      return false;
    if (counted)
      ++f.mgmt_socket->kernel_drops;
    return true;
  };
}

} // namespace

TEST_CASE("a host slot is one cache line, its link's hot part inside it") {
  CHECK(alignof(host_slot) == 64);
  CHECK(sizeof(host_slot) == 64); // the link (a member) is inside it
  CHECK(sizeof(link_quality) <= link_quality::hot_bytes + sizeof(void*));
}

TEST_CASE_FIXTURE(agent_fixture, "periods in which the kernel dropped responses blame nobody") {
  advance(1s);
  auto t0 = now();
  lose_management_responses(*this, true);
  advance(900ms); // nine periods: within the patience of ten
  simnet.drop = nullptr;
  advance(2s);
  CHECK(transitions_since(t0).empty());
  auto st = ask<agent_status>(ctrl, status_atom_v);
  REQUIRE(st.networks.size() == 2);
  auto& mgmt = st.networks[0];
  CHECK(mgmt.num_stalled_overflow >= 8);
  CHECK(mgmt.num_stalled_overflow <= 10);
  CHECK(mgmt.num_judged_anyway == 0);
  CHECK(mgmt.num_socket_drops >= 8u * num_hosts);
  CHECK(mgmt.num_judged >= 25);
  CHECK(mgmt.responding == num_hosts);
  CHECK(st.networks[1].num_stalled_overflow == 0);
  CHECK(st.networks[1].num_socket_drops == 0);
}

TEST_CASE_FIXTURE(agent_fixture, "an overflow that never ends does not hide silent hosts for "
                                 "ever") {
  advance(1s);
  auto t0 = now();
  lose_management_responses(*this, true);
  advance(3s);
  auto st = ask<agent_status>(ctrl, status_atom_v);
  CHECK(st.networks[0].num_stalled_overflow == 10);
  // Judged from the eleventh period on; the misses then enter MNFA, which backs off x4.
  CHECK(st.networks[0].num_judged_anyway >= 5);
  CHECK_FALSE(transitions_since(t0).empty());
}

TEST_CASE_FIXTURE(agent_fixture, "the same silence without kernel drops is blamed on the hosts") {
  advance(1s);
  auto t0 = now();
  lose_management_responses(*this, false);
  advance(2s);
  auto st = ask<agent_status>(ctrl, status_atom_v);
  CHECK(st.networks[0].num_stalled_overflow == 0);
  CHECK(st.networks[0].responding == 0);
  CHECK_FALSE(transitions_since(t0).empty());
}

TEST_CASE_FIXTURE(agent_fixture, "an agent frozen for half a second resumes its cadence "
                                 "instead of closing periods nobody could answer") {
  advance(1s);
  auto t0 = now();
  auto before = ask<agent_status>(ctrl, status_atom_v).networks[0].sequence;
  sched.advance_time(550ms); // nothing ran for 550 ms: one late tick, no catch-up burst
  run();
  advance(1s);
  auto st = ask<agent_status>(ctrl, status_atom_v);
  auto& mgmt = st.networks[0];
  CHECK(mgmt.num_late_ticks == 1);
  CHECK(mgmt.num_skipped_periods >= 4);
  CHECK(mgmt.num_skipped_periods <= 5);
  CHECK(mgmt.max_lateness_ms >= 450);
  // One request per period after the stall: 1 s at 100 ms, plus the late tick itself.
  CHECK(mgmt.sequence - before >= 10);
  CHECK(mgmt.sequence - before <= 12);
  CHECK(mgmt.num_stalled_short + mgmt.num_stalled_overflow == 0);
  CHECK(transitions_since(t0).empty());
}

TEST_CASE_FIXTURE(agent_fixture, "a network with no host stops its period timer and resumes "
                                 "when a host is added") {
  advance(500ms);
  for (int i = 0; i < num_hosts; ++i)
    CHECK(ask<std::string>(ctrl, del_atom_v, host_name(i)) == "deleted " + host_name(i));
  advance(300ms); // the period that was open closes
  auto before = ask<agent_status>(ctrl, status_atom_v);
  auto idle = before.networks[0].sequence;
  auto idle_clstr = before.networks[1].sequence;
  advance(2s);
  CHECK(ask<agent_status>(ctrl, status_atom_v).networks[0].sequence == idle);
  auto t0 = now();
  CHECK(ask<std::string>(ctrl, add_atom_v, host_name(2), cfg::host_type::worker, mgmt_addr(2),
                         std::string{}) == "added " + host_name(2));
  CHECK(ask<std::string>(ctrl, start_atom_v, host_name(2)) == host_name(2) + " started");
  advance(2s);
  auto st = ask<agent_status>(ctrl, status_atom_v);
  CHECK(st.networks[0].sequence >= idle + 19);
  CHECK(st.networks[0].responding == 1);
  // Added without a cluster-host address: that network has still nobody to ask.
  CHECK(st.networks[1].sequence == idle_clstr);
  CHECK(transitions_since(t0).empty());
}

TEST_CASE_FIXTURE(agent_fixture, "stock clients' exact and legacy answers are counted like "
                                 "hbs-client's") {
  stock_client stock{simnet, "127.0.5.1", 2106, "stock-0"};
  stock_client legacy{simnet, "127.0.5.2", 2106, "legacy-0", true};
  for (auto [name, addr] : {std::pair{"stock-0", "127.0.5.1"}, {"legacy-0", "127.0.5.2"}})
    CHECK(ask<std::string>(ctrl, add_atom_v, std::string{name}, cfg::host_type::worker,
                           std::string{addr}, std::string{})
          == std::string{"added "} + name);
  CHECK(ask<std::string>(ctrl, start_atom_v, std::string{"stock-0"}) == "stock-0 started");
  CHECK(ask<std::string>(ctrl, start_atom_v, std::string{"legacy-0"}) == "legacy-0 started");
  auto t0 = now();
  advance(5s);
  CHECK(stock.num_answered >= 49);
  CHECK(legacy.num_answered >= 49);
  for (auto name : {"stock-0", "legacy-0"}) {
    auto h = ask<host_status>(ctrl, host_atom_v, std::string{name});
    REQUIRE(h.networks.size() == 1);
    CHECK(h.networks[0].state == "ok");
    CHECK(h.networks[0].num_misses == 0);
    CHECK(h.networks[0].num_pulses >= 49);
  }
  CHECK(transitions_since(t0).empty());
  auto st = ask<agent_status>(ctrl, status_atom_v);
  for (auto& n : st.networks)
    for (auto m : n.num_malformed)
      CHECK(m == 0);
}

namespace {

std::shared_ptr<const wire::pulse_gate> gate(wire::auth_mode mode, char key = 'c') {
  auto g = std::make_shared<wire::pulse_gate>();
  g->mode = mode;
  REQUIRE(g->key.load_hex(std::string(64, key)).empty());
  return g;
}

struct signed_agent : agent_fixture {
  signed_agent() : agent_fixture(gate(wire::auth_mode::require)) {}
};

// Responses "from" a host's address for the current sequence, as a forger on the network
// who sniffed the request sends them: unsigned, or signed with a key of its own.
void forge(agent_fixture& f, int host, bool with_other_key) {
  auto seq = f.ask<agent_status>(f.ctrl, status_atom_v).networks[0].sequence;
  wire::pulse p;
  p.set_name(host_name(host));
  p.sequence = seq;
  p.flags = wire::pmond_flag;
  std::array<uint8_t, 512> buf{};
  auto n = wire::encode_pulse(wire::pulse_kind::response, p, {buf.data(), buf.size()});
  if (with_other_key)
    n = gate(wire::auth_mode::require, 'd')->seal(buf.data(), n, buf.size(), wire::wall_ms());
  auto s = f.simnet.bind(mgmt_addr(host), 4242);
  outgoing o{parse_ipv4("127.0.0.1"), 0, 2103, static_cast<uint16_t>(n), buf.data()};
  s->send(&o, 1);
}

} // namespace

TEST_CASE_FIXTURE(signed_agent, "in require mode signed pulses heartbeat as usual and forged "
                                "ones cannot keep a dead host alive") {
  advance(1s);
  auto t0 = now();
  advance(2s);
  CHECK(transitions_since(t0).empty()); // every host answers, signed
  // worker-7's client dies; a forger answers for it every period, unsigned or with its key.
  silence(*responders[14]);
  silence(*responders[15]);
  for (int i = 0; i < 15; ++i) {
    forge(*this, 7, i % 2 == 1);
    advance(100ms);
  }
  auto h = ask<host_status>(ctrl, host_atom_v, host_name(7));
  CHECK(h.networks[0].state == "lost");
  auto mgmt = ask<agent_status>(ctrl, status_atom_v).networks[0];
  CHECK(mgmt.auth_mode == "require");
  CHECK(mgmt.num_unsigned >= 7);
  CHECK(mgmt.num_bad_mac >= 7);
  CHECK(mgmt.num_counted > 0);
}

struct plain_agent_forged : agent_fixture {};

TEST_CASE_FIXTURE(plain_agent_forged, "without authentication the same forgery keeps the dead "
                                      "host alive (what require mode prevents)") {
  advance(1s);
  silence(*responders[14]);
  silence(*responders[15]);
  for (int i = 0; i < 15; ++i) {
    forge(*this, 7, false);
    advance(100ms);
  }
  CHECK(ask<host_status>(ctrl, host_atom_v, host_name(7)).networks[0].state != "lost");
}

TEST_CASE_FIXTURE(agent_fixture, "a host's round trip runs from its request leaving to the "
                                 "kernel receiving its answer, with loss and flaps beside it") {
  auto clock_ns = [this] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now().time_since_epoch())
      .count();
  };
  simnet.clock = clock_ns;
  // Requests arrive at once; worker-3's answers take 3 ms on the management network, every
  // other answer 200 µs.
  auto slow = parse_ipv4(mgmt_addr(3));
  simnet.delay = [slow](uint32_t from, uint32_t) -> int64_t {
    return from == slow ? 3'000'000 : 200'000;
  };
  advance(2s);
  auto hosts = ask<std::vector<host_status>>(ctrl, hosts_atom_v);
  REQUIRE(hosts.size() == size_t{num_hosts});
  auto link = [&](int i, size_t net) {
    for (auto& h : hosts)
      if (h.name == host_name(i))
        return h.networks.at(net).link;
    FAIL("no such host");
    return link_row{};
  };
  auto near = [](int64_t got, int64_t want) { return got >= want * 4 / 5 && got <= want * 6 / 5; };
  CHECK(near(link(3, 0).rtt_p50_us, 3'000));
  CHECK(link(3, 0).rtt_max_us == 3'000);
  CHECK(near(link(3, 1).rtt_p50_us, 200));
  CHECK(near(link(7, 0).rtt_p99_us, 200));
  CHECK(link(7, 0).num_rtt >= 15);
  CHECK(link(7, 0).loss_1m_pct == doctest::Approx(0.0));
  // The network's own histogram holds every host's round trips.
  auto st = ask<agent_status>(ctrl, status_atom_v);
  auto& m = st.networks[0];
  CHECK(m.rtt_max_us == 3'000);
  CHECK(near(rtt_quantile_us(m.rtt_buckets.data(), m.rtt_buckets.size(), 0.5, m.rtt_max_us), 200));

  // worker-5 goes silent on management for 600 ms (a flap: more than minor's 4 periods)
  auto w5 = parse_ipv4(mgmt_addr(5));
  simnet.drop = [w5](uint32_t from, uint32_t, uint16_t) { return from == w5; };
  advance(600ms);
  simnet.drop = nullptr;
  advance(1s);
  hosts = ask<std::vector<host_status>>(ctrl, hosts_atom_v);
  CHECK(link(5, 0).num_flaps == 1);
  CHECK(link(5, 0).loss_1m_pct > 15.0);
  CHECK(link(5, 1).num_flaps == 0);
  CHECK(link(5, 1).loss_1m_pct == doctest::Approx(0.0));
}

TEST_CASE("round trips are measured in as few periods as keep the stamps within budget") {
  CHECK(rtt_sample_every(50, 100, rtt_stamp_budget) == 1);
  CHECK(rtt_sample_every(1250, 100, rtt_stamp_budget) == 1);
  CHECK(rtt_sample_every(1251, 100, rtt_stamp_budget) == 2);
  CHECK(rtt_sample_every(5000, 100, rtt_stamp_budget) == 4);
  CHECK(rtt_sample_every(10000, 100, rtt_stamp_budget) == 8); // 12,500 stamps a second
  CHECK(rtt_sample_every(10000, 1000, rtt_stamp_budget) == 1); // StarlingX's 1 s period
  CHECK(rtt_sample_every(10000, 400, rtt_stamp_budget) == 2);  // MNFA's back-off, x4
  CHECK(rtt_sample_every(1'000'000, 100, 1) == 1024);          // never fewer than that
  CHECK(measures_round_trips(10000, 100, rtt_stamp_budget, 16));
  CHECK_FALSE(measures_round_trips(10000, 100, rtt_stamp_budget, 20));
}

// 50 hosts on a budget of 125 stamps a second: one period in four, as 5,000 hosts would be.
struct sampled_agent : agent_fixture {
  sampled_agent() : agent_fixture(nullptr, 125) {}
};

TEST_CASE_FIXTURE(sampled_agent, "a network over its stamp budget measures round trips in one "
                                 "period of four and judges every period") {
  simnet.clock = [this] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(now().time_since_epoch())
      .count();
  };
  simnet.delay = [](uint32_t, uint32_t) -> int64_t { return 500'000; };
  advance(4s); // 40 periods, the first from 100 ms on
  auto hosts = ask<std::vector<host_status>>(ctrl, hosts_atom_v);
  REQUIRE(!hosts.empty());
  for (auto& h : hosts) {
    auto& mgmt = h.networks.at(0);
    CHECK(mgmt.link.num_rtt >= 9);
    CHECK(mgmt.link.num_rtt <= 10);
    CHECK(mgmt.num_pulses >= 38);
    CHECK(mgmt.link.rtt_max_us == 500);
  }
  // The kernel's control message came with a quarter of the reads, not all of them.
  auto stamped = mgmt_socket->num_stamped;
  CHECK(stamped >= 9u * num_hosts);
  CHECK(stamped <= 11u * num_hosts);
  CHECK(mgmt_socket->stamping == (ask<agent_status>(ctrl, status_atom_v).networks[0].sequence
                                  % 4 == 0));
}

TEST_CASE_FIXTURE(agent_fixture, "without receive times no round trip is reported, not a zero") {
  advance(2s);
  auto hosts = ask<std::vector<host_status>>(ctrl, hosts_atom_v);
  REQUIRE_FALSE(hosts.empty());
  CHECK(hosts[0].networks.at(0).link.rtt_p50_us == -1);
  CHECK(hosts[0].networks.at(0).link.num_rtt == 0);
  CHECK(hosts[0].networks.at(0).link.loss_1m_pct == doctest::Approx(0.0));
}

TEST_CASE_FIXTURE(agent_fixture, "a stream of answers is read again after a pause instead "
                                 "of a re-arm per handful") {
  bool timed = true;
  SUBCASE("the pause on the socket's own timer, as the daemon's sockets keep it") {}
  SUBCASE("the pause on the actor's clock, for a socket without a timer") {
    simnet.after = nullptr;
    timed = false;
  }
  advance(530ms); // mid-period: this period's 50 answers are read and the socket re-armed
  auto rogue = simnet.bind("127.0.7.7", 5555);
  uint8_t junk[20] = {'c', 'g', 't', 's'};
  outgoing o{parse_ipv4("127.0.0.1"), 0, 2103, sizeof junk, junk};
  auto malformed = [&] {
    auto st = ask<agent_status>(ctrl, status_atom_v);
    auto& m = st.networks[0].network == 0 ? st.networks[0] : st.networks[1];
    return m.num_malformed[static_cast<size_t>(wire::decode_error::bad_header)];
  };
  auto rearms = mgmt_socket->num_rearms;
  auto pauses = mgmt_socket->num_pauses;
  for (int i = 0; i < 40; ++i) // a stream: read at once, then read again in a moment
    rogue->send(&o, 1);
  run();
  CHECK(malformed() == 40);
  CHECK(mgmt_socket->num_rearms == rearms);
  for (int i = 0; i < 3; ++i)
    rogue->send(&o, 1);
  run();
  CHECK(malformed() == 40); // waits for the pause
  advance(stream_pause - 1ms, 1ms);
  CHECK(malformed() == 40);
  advance(1ms, 1ms);
  CHECK(malformed() == 43);
  CHECK(mgmt_socket->num_pauses == pauses + (timed ? 1 : 0));
  CHECK(mgmt_socket->num_rearms == rearms + 1); // a handful: readiness asked for again
  rogue->send(&o, 1);
  run();
  CHECK(malformed() == 44); // read as soon as it arrives
}

TEST_CASE_FIXTURE(agent_fixture, "answers trickling in while many more are due are read after "
                                 "a pause, not one wake-up each") {
  // Host i answers its management request i ms after it arrives: a 50 ms stream whose every
  // wake-up would find one answer.
  for (int i = 0; i < num_hosts; ++i) {
    auto* r = responders[2 * i].get(); // 2i: host i's management responder
    std::weak_ptr<datagram_socket> weak = r->setup().socket;
    r->setup().socket->on_readable([this, r, weak, i] {
      after(std::chrono::milliseconds{i}, [r, weak] {
        r->serve();
        if (auto s = weak.lock())
          s->rearm();
      });
    });
  }
  advance(1s, 1ms);
  auto rearms = mgmt_socket->num_rearms;
  auto pauses = mgmt_socket->num_pauses;
  advance(1s, 1ms); // ten periods
  // Per period: read after a pause while 16 or more are due (~5 pauses), then one re-arm per
  // answer for the last few; one re-arm per answer would be 50.
  CHECK(mgmt_socket->num_pauses - pauses >= 40);
  CHECK(mgmt_socket->num_rearms - rearms <= 150);
  CHECK(transitions_since(start).empty());
}

TEST_CASE_FIXTURE(agent_fixture, "a stream that never pauses still asks for readiness once a "
                                 "period, so the watchdog sees the socket served") {
  advance(530ms);
  auto rogue = simnet.bind("127.0.7.7", 5555);
  // 20 datagrams every half millisecond (40,000/s): whenever the network reads again, after
  // its pause or after a tick's drain, a full slice is waiting.
  auto flood = sys.spawn([rogue](caf::event_based_actor* a) -> caf::behavior {
    a->send(a, tick_atom_v);
    return {[=](tick_atom) {
      static uint8_t junk[20] = {'c', 'g', 't', 's'};
      outgoing o{parse_ipv4("127.0.0.1"), 0, 2103, sizeof junk, junk};
      for (int i = 0; i < 20; ++i)
        rogue->send(&o, 1);
      a->delayed_send(a, 500us, tick_atom_v);
    }};
  });
  auto rearms = mgmt_socket->num_rearms;
  advance(250ms, 500us);
  caf::anon_send_exit(flood, caf::exit_reason::user_shutdown);
  CHECK(mgmt_socket->num_rearms >= rearms + 2);
  CHECK(mgmt_socket->num_rearms <= rearms + 4);
  CHECK(transitions_since(start).empty()); // the hosts heartbeat on through the flood
}
