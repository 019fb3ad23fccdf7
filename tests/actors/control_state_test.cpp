#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "actors/control_state.hpp"
#include "tests/support/control_state_helpers.hpp"

using namespace hbs;
using namespace hbs::test;

TEST_CASE("the file seeds every register at generation zero") {
  control_state cs{config(0)};
  CHECK(cs.hosts().size() == 4);
  CHECK(record(cs, "worker-0").monitored);
  CHECK_FALSE(record(cs, "worker-1").monitored);
  CHECK(cs.designation().value == "controller-0");
  CHECK(cs.designation().at == stamp{0, 0});
  control_state other{config(1, false)};
  CHECK(other.designation().value == "controller-0"); // "inactive" names the peer
  CHECK(other.designation().at == stamp{0, 1});
  CHECK(cs.to_json().find("worker-0") == std::string::npos); // nothing changed at run time
}

TEST_CASE("a host's membership and its start are two registers: each command wins only what "
          "it states") {
  control_state a{config(0)};
  control_state b{config(1, false)};
  // Unseen across a partition: a deletes worker-0 and moves worker-1; later, b stops
  // worker-0 and starts worker-1 (both registers of each host were b's view before).
  auto d1 = deleted(a, "worker-0", 1000);
  auto moved = record(a, "worker-1");
  moved.management = "10.0.0.21";
  auto d2 = change_host(a, moved, 1001, part::membership);
  apply(a, d2);
  auto stop = record(b, "worker-0");
  stop.monitored = false;
  auto d3 = change_host(b, stop, 2000, part::start);
  apply(b, d3);
  auto start = record(b, "worker-1");
  start.monitored = true;
  auto d4 = change_host(b, start, 2001, part::start);
  apply(b, d4);
  apply(a, d3);
  apply(a, d4);
  apply(b, d1);
  apply(b, d2);
  for (auto* cs : {&a, &b}) {
    CHECK(cs->find("worker-0") == nullptr);         // the later stop did not undo the delete
    CHECK(record(*cs, "worker-1").management == "10.0.0.21"); // nor the start the move
    CHECK(record(*cs, "worker-1").monitored);
  }
  CHECK(a.to_json() == b.to_json());
}

TEST_CASE("two hosts given one address unseen across a partition: the newer membership keeps "
          "it on both agents, whatever the order of their merges") {
  for (bool later_readd : {true, false}) {
    CAPTURE(later_readd);
    control_state a{config(0)};
    control_state b{config(1, false)};
    deleted(a, "worker-0", 1000);
    host_record w9{"worker-9", cfg::host_type::worker, "10.0.0.10", "", true, false, {}, {}};
    auto d2 = change_host(a, w9, 2000); // worker-0's address, free on a
    apply(a, d2);
    auto d3 = change_host(b, record(b, "worker-0"), later_readd ? 3000 : 1500,
                          part::membership); // b re-adds worker-0 (already present)
    apply(b, d3);
    std::string err;
    std::vector<std::string> notes;
    auto on_a = a.merge(b.full(), err, notes, 0, true);
    REQUIRE_MESSAGE(on_a, err);
    auto on_b = b.merge(a.full(), err, notes, 0, true);
    REQUIRE_MESSAGE(on_b, err);
    auto keeper = later_readd ? "worker-0" : "worker-9";
    auto loser = later_readd ? "worker-9" : "worker-0";
    for (auto* cs : {&a, &b}) {
      CHECK(cs->find(keeper) != nullptr);
      CHECK(cs->find(loser) == nullptr);
    }
    CHECK(a.to_json() == b.to_json());
    auto& settled = later_readd ? on_a->settled : on_b->settled; // the side that held it
    REQUIRE(settled.size() == 1);
    CHECK(settled[0].was.name == loser);
    CHECK(settled[0].was.present);
    CHECK(settled[0].why == std::string{loser} + " no longer heartbeated: its management "
                            "address 10.0.0.10 is " + keeper + "'s, whose membership is newer");
    // An operator's command is still refused: settling is for merges of whole states.
    control_state c{config(0)};
    CHECK_FALSE(c.merge(change_host(c, w9), err, notes));
  }
}

TEST_CASE("deltas that cross settle the same on both agents: which host holds an address "
          "follows from the registers alone") {
  control_state a{config(0)};
  control_state b{config(1, false)};
  auto add = [](control_state& cs, const char* name, const char* mgmt, const char* clstr,
                uint64_t at) {
    auto d = change_host(cs, {name, cfg::host_type::worker, mgmt, clstr, true, false, {}, {}},
                         at);
    apply(cs, d);
    return d;
  };
  auto l = add(b, "worker-l", "10.0.0.40", "10.0.1.9", 5); // cluster-host 10.0.1.9
  auto k = add(b, "worker-k", "10.0.0.9", "", 10);          // management 10.0.0.9
  auto m = add(a, "worker-m", "10.0.0.9", "10.0.1.9", 7);   // both, unseen by b
  std::string err;
  std::vector<std::string> notes;
  for (auto* d : {&l, &k}) // a takes l (m holds 10.0.1.9 then), then k (k holds 10.0.0.9)
    REQUIRE_MESSAGE(a.merge(*d, err, notes, 0, true), err);
  REQUIRE_MESSAGE(b.merge(m, err, notes, 0, true), err);
  for (auto* cs : {&a, &b}) {
    CHECK(cs->find("worker-k") != nullptr);
    CHECK(cs->find("worker-l") != nullptr); // m, eclipsed by k, takes no address from l
    CHECK(cs->find("worker-m") == nullptr);
  }
  CHECK(a.to_json() == b.to_json());
  auto moved = record(b, "worker-k"); // k leaves 10.0.0.9: m holds its addresses again,
  moved.management = "10.0.0.41";     // l (older) loses 10.0.1.9 to it, on both
  auto d = change_host(b, moved, 20, part::membership);
  apply(b, d);
  REQUIRE_MESSAGE(a.merge(d, err, notes, 0, true), err);
  for (auto* cs : {&a, &b}) {
    CHECK(cs->find("worker-m") != nullptr);
    CHECK(cs->find("worker-l") == nullptr);
  }
}

TEST_CASE("a host added at run time keeps its address over a file's host given it since") {
  control_state cs{config(0)};
  host_record w9{"worker-9", cfg::host_type::worker, "10.0.0.19", "", true, true, {}, {}};
  apply(cs, change_host(cs, w9, 1000));
  auto edited = config(0);
  edited.hosts.push_back({"worker-7", cfg::host_type::worker, "10.0.0.19", "", true});
  control_state again{edited};
  std::string err;
  std::vector<std::string> notes;
  REQUIRE_MESSAGE(again.load(cs.to_json(), err, notes), err);
  CHECK(again.find("worker-9") != nullptr);
  CHECK(again.find("worker-7") == nullptr);
  CHECK(std::count_if(notes.begin(), notes.end(), [](auto& n) {
          return n.find("worker-7 no longer heartbeated: its management address 10.0.0.19")
                 == 0;
        }) == 1);
}

TEST_CASE("one-host changes taken in place end as the whole-inventory merge of the same "
          "registers would, on both agents, through clashes and their settling") {
  std::mt19937 rng{20261205};
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  control_state side[2] = {control_state{config(0)}, control_state{config(1, false)}};
  std::vector<control_snapshot> to[2]; // deltas on their way to each side
  uint64_t now = 1000;
  int taken = 0, refused = 0;
  for (int step = 0; step < 600; ++step) {
    int me = pick(2);
    auto& cs = side[me];
    std::vector<std::string> names;
    for (auto& [name, h] : cs.hosts())
      if (h.present && name.rfind("controller", 0) != 0)
        names.push_back(name);
    auto address = fmt::format("10.0.0.{}", 100 + pick(12)); // few: clashes are common
    host_record r;
    auto p = part::both;
    int op = names.empty() ? 0 : pick(10);
    auto some = [&] { return record(cs, names[pick(static_cast<int>(names.size()))]); };
    if (op < 4) {
      r = {fmt::format("worker-{}", 100 + pick(30)), cfg::host_type::worker, address, "", true,
           pick(2) == 0, {}, {}};
    } else if (op == 4) {
      r = some();
      r.present = false;
      p = part::membership;
    } else if (op < 7) {
      r = some();
      r.management = address;
      p = part::membership;
    } else {
      r = some();
      r.monitored = !r.monitored;
      p = part::start;
    }
    auto d = change_host(cs, r, now += 1 + pick(3), p);
    std::string err;
    std::vector<std::string> notes;
    if (!cs.merge(d, err, notes, 0, false)) { // as an operator's command: clashes refused
      ++refused;
      continue;
    }
    ++taken;
    to[1 - me].push_back(d);
    for (int other : {0, 1}) // a few deliveries, in order, now and then
      while (!to[other].empty() && pick(5) == 0) {
        REQUIRE_MESSAGE(side[other].merge(to[other].front(), err, notes, 0, true), err);
        to[other].erase(to[other].begin());
      }
  }
  std::string err;
  std::vector<std::string> notes;
  for (int other : {0, 1})
    for (auto& d : to[other])
      REQUIRE_MESSAGE(side[other].merge(d, err, notes, 0, true), err);
  CHECK(taken > 200);
  CHECK(refused > 10);
  auto registers = [](const control_state& cs) { // not the clock: a refused command moved it
    auto j = nlohmann::json::parse(cs.to_json());
    j.erase("generation");
    return j.dump();
  };
  CHECK(registers(side[0]) == registers(side[1]));
  control_state whole{config(0)}; // the same registers through the whole-inventory merge
  REQUIRE_MESSAGE(whole.merge(side[0].full(), err, notes, 0, true), err);
  REQUIRE_MESSAGE(whole.merge(side[1].full(), err, notes, 0, true), err);
  for (auto& [name, h] : whole.hosts()) {
    CAPTURE(name);
    for (auto& cs : side) {
      CHECK((cs.find(name) != nullptr) == (whole.find(name) != nullptr));
      if (cs.find(name) && whole.find(name))
        CHECK(cs.find(name)->same_value(*whole.find(name)));
    }
  }
}

TEST_CASE("merges keep the newer register whatever the order, and repeat harmlessly") {
  // Two agents take changes during a partition; every order of delivery converges.
  control_state a{config(0)}, b{config(1, false)};
  std::vector<control_snapshot> from_a, from_b;
  auto w0 = record(a, "worker-0");
  w0.monitored = false;
  from_a.push_back(change_host(a, w0)); // a stops worker-0 (generation 1, origin 0)
  apply(a, from_a.back());
  auto w0b = record(b, "worker-0");
  w0b.present = false;
  from_b.push_back(change_host(b, w0b)); // b deletes it (generation 1, origin 1): wins
  apply(b, from_b.back());
  host_record w5{"worker-5", cfg::host_type::storage, "10.0.0.15", "", true, true, {}, {}};
  from_a.push_back(change_host(a, w5));
  apply(a, from_a.back());
  auto act = b.delta({});
  act.designation = {"controller-1", *b.next()};
  from_b.push_back(act);
  apply(b, act);
  std::vector<control_snapshot> all = from_a;
  all.insert(all.end(), from_b.begin(), from_b.end());
  std::mt19937 rng{1};
  for (int round = 0; round < 20; ++round) {
    std::shuffle(all.begin(), all.end(), rng);
    control_state x{config(0)}, y{config(1, false)};
    for (auto& s : all) {
      apply(x, s);
      apply(y, s);
      apply(y, s); // a duplicate changes nothing
    }
    for (auto* cs : {&x, &y}) {
      CHECK(cs->find("worker-0") == nullptr);
      REQUIRE(cs->find("worker-5") != nullptr);
      CHECK(cs->designation().value == "controller-1");
    }
  }
  // Full snapshots exchanged on link-up: both end equal.
  apply(a, b.full());
  apply(b, a.full());
  CHECK(a.full().hosts.size() == b.full().hosts.size());
  for (auto& [name, h] : a.hosts()) {
    CHECK(h.same_value(record(b, name)));
    CHECK(h.at == record(b, name).at);
  }
  CHECK(a.to_json() == b.to_json());
}

TEST_CASE("a merge reports only changes of value") {
  control_state a{config(0)};
  auto same = record(a, "worker-0");
  auto ch = apply(a, change_host(a, same)); // newer stamp, same value
  CHECK(ch.hosts.empty());
  auto s = a.delta({});
  s.action = {cfg::failure_action::degrade, *a.next()};
  ch = apply(a, s);
  CHECK(ch.action);
  CHECK_FALSE(ch.designation);
  CHECK(a.action().value == cfg::failure_action::degrade);
}

TEST_CASE("of two changes made unseen across a partition the later on the wall clock wins, "
          "however many the other side made") {
  control_state a{config(0)}, b{config(1, false)};
  auto w1 = record(a, "worker-1");
  w1.monitored = true;
  auto a1 = change_host(a, w1, 1000); // a starts worker-1, then stops worker-0 in the same ms
  apply(a, a1);
  auto w0 = record(a, "worker-0");
  w0.monitored = false;
  auto a2 = change_host(a, w0, 1000);
  apply(a, a2);
  CHECK(a2.hosts[0].at == stamp{1001, 0}); // past the clock: every change is newer
  auto b1 = change_host(b, record(b, "worker-0"), 1500); // b restarts it later: same value
  apply(b, b1);
  for (auto* cs : {&a, &b})
    for (auto* s : {&a1, &a2, &b1})
      apply(*cs, *s);
  CHECK(record(a, "worker-0").monitored);
  CHECK(record(b, "worker-0").monitored);
  CHECK(record(a, "worker-1").monitored);
  CHECK(a.to_json() == b.to_json());
  // A clock behind the generations seen never stamps below them.
  CHECK(*a.next(5) == stamp{1501, 0});
  // The same without the clock (a plain Lamport clock): a's two changes outrank b's later one.
  control_state c{config(0)}, d{config(1, false)};
  auto c1 = change_host(c, w1);
  apply(c, c1);
  auto c2 = change_host(c, w0);
  apply(c, c2);
  auto d1 = change_host(d, record(d, "worker-0"));
  for (auto* s : {&c1, &c2, &d1})
    apply(d, *s);
  CHECK_FALSE(record(d, "worker-0").monitored);
}

TEST_CASE("a stamp ahead of this agent's wall clock by more than far_ahead is noted") {
  control_state a{config(0)};
  std::string err;
  std::vector<std::string> notes;
  auto now = uint64_t{1796435479382};
  auto s = a.delta({});
  s.action = {cfg::failure_action::alarm, {now + far_ahead / 2, 1}}; // clocks a little apart
  REQUIRE(a.merge(s, err, notes, now));
  CHECK(notes.empty());
  s.action = {cfg::failure_action::degrade, {now + 3 * far_ahead, 1}};
  REQUIRE(a.merge(s, err, notes, now));
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("the failure action carries generation") == 0);
}

TEST_CASE("generations never wrap: the largest is refused, one far ahead is noted") {
  control_state a{config(0)};
  auto s = a.delta({});
  s.action = {cfg::failure_action::alarm, {max_generation + 1, 1}};
  std::string err;
  std::vector<std::string> notes;
  CHECK_FALSE(a.merge(s, err, notes));
  CHECK(err.find("out of range") != std::string::npos);
  CHECK(a.action().value == cfg::failure_action::fail);
  s.action.at = {max_generation, 1};
  REQUIRE(a.merge(s, err, notes));
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("the failure action carries generation") == 0);
  CHECK(a.generation() == max_generation);
  CHECK_FALSE(a.next()); // exhausted: refused, never wrapped to older
  CHECK(a.generation() == max_generation);
}

TEST_CASE("a snapshot that would make the inventory invalid is refused whole") {
  control_state a{config(0)};
  control_state b{config(1, false)};
  host_record clash{"worker-9", cfg::host_type::worker, "10.0.0.10", "", true, true, {}, {}};
  auto s = change_host(b, clash); // worker-0's address
  std::string err;
  std::vector<std::string> notes;
  CHECK_FALSE(a.merge(s, err, notes));
  CHECK(err.find("duplicate address") != std::string::npos);
  CHECK(a.find("worker-9") == nullptr);
  s.hosts.front().name = std::string(64, 'w');
  CHECK_FALSE(a.merge(s, err, notes));
  CHECK(err.find("not a valid host name") != std::string::npos);
  s.hosts.assign(cfg::max_hosts + 1, s.hosts.front());
  CHECK_FALSE(a.merge(s, err, notes));
  CHECK(err.find("host records") != std::string::npos);
}
