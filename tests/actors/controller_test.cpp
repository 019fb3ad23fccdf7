// The controller's control plane in simulated time: durable control state, role safety
// (never two active agents but by an operator's explicit choice), anti-entropy on link-up,
// quiet swacts, MNFA across partitions (issue 12).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "tests/support/pair_fixture.hpp"

using namespace hbs;
using namespace std::chrono_literals;
using test::count;
using test::pair_fixture;
using test::worker_addr;

TEST_CASE_FIXTURE(pair_fixture, "an agent restarted after a swact comes back inactive") {
  advance(1s);
  ask<std::string>(ctrl[0], activate_atom_v, std::string{"controller-1"});
  run();
  REQUIRE(active(1));
  restart(0); // its config still says role = "active"
  CHECK_FALSE(active(0));
  advance_one_active(5s);
  CHECK_FALSE(active(0));
  CHECK(active(1));
  // And when the peer cannot be reached at restart: the persisted designation rules.
  restart(0, false);
  advance_one_active(5s);
  CHECK_FALSE(active(0));
  CHECK(active(1));
}

TEST_CASE_FIXTURE(pair_fixture, "a restarted agent that cannot reach its peer takes its "
                                "designated role only after the hold-off") {
  advance(1s);
  restart(0, false);
  CHECK_FALSE(active(0));
  advance_one_active(2900ms);
  CHECK_FALSE(active(0)); // zero active is the safe side while it cannot know
  advance(200ms);
  CHECK(active(0));
  CHECK_FALSE(active(1));
  auto st = ask<agent_status>(ctrl[0], status_atom_v);
  CHECK(st.role_note.find("controller-1 unreachable") != std::string::npos);
}

TEST_CASE_FIXTURE(pair_fixture, "commands on both sides of a partition are all kept and "
                                "converge when it heals, one agent active throughout") {
  advance(1s);
  cut_link();
  advance_one_active(1s);
  CHECK(ask<std::string>(ctrl[1], stop_atom_v, std::string{"worker-3"}) == "worker-3 stopped");
  CHECK(ask<std::string>(ctrl[0], del_atom_v, std::string{"worker-4"}) == "deleted worker-4");
  CHECK(ask<std::string>(ctrl[0], add_atom_v, std::string{"worker-99"},
                         cfg::host_type::storage, std::string{"127.0.9.99"}, std::string{})
        == "added worker-99");
  CHECK(ask<std::string>(ctrl[1], action_atom_v, cfg::failure_action::degrade)
        == "failure action degrade (was fail)");
  advance_one_active(2s);
  CHECK(control(0).find("worker-3")->monitored); // not heard yet
  heal_link();
  advance_one_active(500ms);
  for (int me : {0, 1}) {
    CAPTURE(me);
    auto& cs = control(me);
    CHECK_FALSE(cs.find("worker-3")->monitored);
    CHECK(cs.find("worker-4") == nullptr);
    REQUIRE(cs.find("worker-99") != nullptr);
    CHECK(cs.action().value == cfg::failure_action::degrade);
    CHECK_FALSE(ask<host_status>(ctrl[me], host_atom_v, std::string{"worker-3"}).started);
  }
  CHECK(control(0).to_json() == control(1).to_json());
  CHECK(active(0));
}

TEST_CASE_FIXTURE(pair_fixture, "an operator's later command wins over the peer's earlier one "
                                "made unseen across a partition, even where it restates a value") {
  // nemesis seed 20261205: controller-0 stopped worker-4 while cut off; controller-1, which
  // still saw it started, was told to start it; on the heal the stop won on both (seed 2079:
  // the same with a tuning, scripts/test).
  advance(1s);
  cut_link();
  advance_one_active(500ms);
  CHECK(ask<std::string>(ctrl[0], action_atom_v, cfg::failure_action::alarm)
        == "failure action alarm (was fail)");
  CHECK(ask<std::string>(ctrl[0], del_atom_v, std::string{"worker-5"}) == "deleted worker-5");
  CHECK(ask<std::string>(ctrl[0], tune_atom_v, tuning{200, 0, 0, 0})
        == "period 100 -> 200 ms, thresholds 4/6/10 -> 4/6/10");
  // Its fourth change: a Lamport clock alone would rank it above controller-1's first.
  CHECK(ask<std::string>(ctrl[0], stop_atom_v, std::string{"worker-3"}) == "worker-3 stopped");
  advance_one_active(1s);
  CHECK(ask<std::string>(ctrl[1], start_atom_v, std::string{"worker-3"})
        == "worker-3 restarted");
  CHECK(ask<std::string>(ctrl[1], action_atom_v, cfg::failure_action::fail)
        == "failure action already fail");
  CHECK(ask<std::string>(ctrl[1], tune_atom_v, tuning{100, 0, 0, 0})
        == "period 100 ms, thresholds 4/6/10 unchanged");
  CHECK(ask<std::string>(ctrl[1], add_atom_v, std::string{"worker-5"}, cfg::host_type::worker,
                         worker_addr(5), std::string{}) == "worker-5 already present");
  advance_one_active(1s);
  heal_link();
  advance_one_active(1s);
  for (int me : {0, 1}) {
    CAPTURE(me);
    CHECK(control(me).find("worker-3")->monitored);
    CHECK(control(me).action().value == cfg::failure_action::fail);
    CHECK(control(me).tune().value.period_ms == 100);
    CHECK(control(me).find("worker-5") != nullptr);
    CHECK(ask<host_status>(ctrl[me], host_atom_v, std::string{"worker-3"}).started);
  }
  CHECK(control(0).to_json() == control(1).to_json());
}

TEST_CASE_FIXTURE(pair_fixture, "a later command across a partition wins only what it states: "
                                "an add keeps the peer's stop, a start does not undo a delete") {
  advance(1s);
  cut_link();
  advance_one_active(500ms);
  CHECK(ask<std::string>(ctrl[0], stop_atom_v, std::string{"worker-3"}) == "worker-3 stopped");
  CHECK(ask<std::string>(ctrl[0], del_atom_v, std::string{"worker-4"}) == "deleted worker-4");
  advance_one_active(1s);
  CHECK(ask<std::string>(ctrl[1], add_atom_v, std::string{"worker-3"}, cfg::host_type::worker,
                         worker_addr(3), std::string{}) == "worker-3 already present");
  CHECK(ask<std::string>(ctrl[1], start_atom_v, std::string{"worker-4"})
        == "worker-4 restarted");
  advance_one_active(1s);
  heal_link();
  advance_one_active(1s);
  for (int me : {0, 1}) {
    CAPTURE(me);
    REQUIRE(control(me).find("worker-3") != nullptr);
    CHECK_FALSE(control(me).find("worker-3")->monitored);
    CHECK(control(me).find("worker-4") == nullptr);
  }
  CHECK(control(0).to_json() == control(1).to_json());
}

TEST_CASE_FIXTURE(pair_fixture, "an address given to two hosts across a partition goes to the "
                                "later one on both agents, not to a lasting split") {
  advance(1s);
  auto num_hosts = ask<agent_status>(ctrl[0], status_atom_v).num_hosts;
  cut_link();
  advance_one_active(500ms);
  CHECK(ask<std::string>(ctrl[0], del_atom_v, std::string{"worker-5"}) == "deleted worker-5");
  CHECK(ask<std::string>(ctrl[0], add_atom_v, std::string{"worker-50"}, cfg::host_type::worker,
                         worker_addr(5), std::string{}) == "added worker-50");
  CHECK(ask<std::string>(ctrl[0], start_atom_v, std::string{"worker-50"})
        == "worker-50 started");
  advance_one_active(1s);
  CHECK(ask<std::string>(ctrl[1], add_atom_v, std::string{"worker-5"}, cfg::host_type::worker,
                         worker_addr(5), std::string{}) == "worker-5 already present");
  advance_one_active(1s);
  heal_link();
  advance_one_active(2s);
  for (int me : {0, 1}) {
    CAPTURE(me);
    CHECK(control(me).find("worker-5") != nullptr);
    CHECK(control(me).find("worker-50") == nullptr);
    CHECK(ask<host_status>(ctrl[me], host_atom_v, std::string{"worker-5"}).started);
    auto status = ask<agent_status>(ctrl[me], status_atom_v);
    CHECK(status.num_hosts == num_hosts);
    CHECK(status.num_eclipsed == 1); // worker-50, shown in hbsctl status
    auto& actors = state_of<controller_state>(ctrl[me]).hosts;
    CHECK(actors.count("worker-5") == 1);
    CHECK(actors.count("worker-50") == 0); // controller-0's actor for it is gone
    // hbsctl still shows it, and why it is not heartbeated.
    auto eclipsed = ask<host_status>(ctrl[me], host_atom_v, std::string{"worker-50"});
    CHECK(eclipsed.networks.empty());
    CHECK(eclipsed.started);
    CHECK(eclipsed.eclipsed == "its management address " + worker_addr(5)
                                 + " is held by worker-5, whose membership is newer");
    auto all = ask<std::vector<host_status>>(ctrl[me], hosts_atom_v);
    REQUIRE_FALSE(all.empty());
    CHECK(all.back().name == "worker-50"); // after the heartbeated ones
    CHECK(all.back().eclipsed == eclipsed.eclipsed);
    CHECK(std::count_if(all.begin(), all.end(), [](auto& h) { return !h.eclipsed.empty(); })
          == 1);
    CHECK(ask<std::string>(ctrl[me], dump_atom_v).find("worker-50            -             "
                                                        "eclipsed    (its management address")
          != std::string::npos); // the state dump (SIGUSR2, audits) names it too
  }
  CHECK(control(0).to_json() == control(1).to_json());
  advance_one_active(3s); // worker-5's answers still reach it (stopping worker-50 came first)
  for (int me : {0, 1}) {
    CAPTURE(me);
    auto h = ask<host_status>(ctrl[me], host_atom_v, std::string{"worker-5"});
    REQUIRE_FALSE(h.networks.empty());
    CHECK(h.networks[0].state == "ok");
    CHECK(h.networks[0].last_response_age_ms >= 0);
    CHECK(h.networks[0].last_response_age_ms < 500);
  }
  // The eclipsed host is still in the inventory: moved to a free address (mtcAgent's MOD)
  // it is heartbeated again, its start (controller-0's) kept; then deleted.
  CHECK(ask<std::string>(ctrl[1], add_atom_v, std::string{"worker-50"}, cfg::host_type::worker,
                         worker_addr(40), std::string{}, true).find("modified worker-50") == 0);
  advance_one_active(1s);
  for (int me : {0, 1}) {
    CAPTURE(me);
    REQUIRE(control(me).find("worker-50") != nullptr);
    CHECK(control(me).find("worker-50")->monitored);
  }
  CHECK(ask<std::string>(ctrl[1], del_atom_v, std::string{"worker-50"}) == "deleted worker-50");
  advance_one_active(1s);
  CHECK(control(0).to_json() == control(1).to_json());
  CHECK_FALSE(control(0).hosts().at("worker-50").present);
}

TEST_CASE_FIXTURE(pair_fixture, "a hand-over taken after its request timed out still makes "
                                "the requester active") {
  advance(1s);
  CHECK(ask<std::string>(ctrl[0], activate_atom_v, std::string{"controller-1"})
        .find("controller-1 is active") == 0);
  advance_one_active(1s);
  REQUIRE(active(1));
  // controller-0's activate of itself: its request reached controller-1 only after the
  // 2 s timeout (nemesis seed 1839: the management link cut, the peer link slow to move),
  // so controller-0 changed nothing and the late answer was dropped.
  auto handoff = control(0).delta({});
  handoff.designation = {"controller-0", *control(0).next(sim_wall_ms()())};
  self->send(ctrl[1], handoff_atom_v, handoff);
  advance_one_active(1s);
  CHECK(active(0));
  CHECK_FALSE(active(1));
  CHECK(control(0).designation().value == "controller-0");
}

TEST_CASE_FIXTURE(pair_fixture, "a burst of commands is written in a few writes, each answered "
                                "once a write holding it is done") {
  advance(1s);
  auto& store = state_of<store_state>(state_of<controller_state>(ctrl[0]).store);
  auto writes = store.num_writes;
  std::vector<decltype(self->request(ctrl[0], caf::infinite, stop_atom_v, std::string{}))> rs;
  for (int i = 1; i <= 20; ++i)
    rs.push_back(self->request(ctrl[0], caf::infinite, stop_atom_v, fmt::format("worker-{}", i)));
  run();
  for (auto& r : rs)
    r.receive([](std::string& s) { CHECK(s.find(" stopped") != std::string::npos); },
              [&](caf::error& e) { FAIL("refused: " << sys.render(e)); });
  CHECK(store.num_writes - writes <= 3); // one each: 20
  std::string text, err;
  REQUIRE(read_file(dir[0] + "/control.json", text, err));
  control_state saved{config(0)};
  std::vector<std::string> notes;
  REQUIRE_MESSAGE(saved.load(text, err, notes), err);
  for (int i = 1; i <= 20; ++i)
    CHECK_FALSE(saved.find(fmt::format("worker-{}", i))->monitored);
}

TEST_CASE_FIXTURE(pair_fixture, "an agent told to stop while a change waits for the next "
                                "write writes it first and answers its caller") {
  advance(1s);
  auto& st = state_of<controller_state>(ctrl[0]);
  std::vector<decltype(self->request(ctrl[0], caf::infinite, stop_atom_v, std::string{}))> rs;
  for (int i = 1; i <= 20; ++i)
    rs.push_back(self->request(ctrl[0], caf::infinite, stop_atom_v, fmt::format("worker-{}", i)));
  // One message at a time until a change waits behind a write on its way (coalesced).
  for (int steps = 0; !(st.writing && st.write_again) && steps < 1000; ++steps)
    REQUIRE(sched.try_run_once());
  REQUIRE(st.write_again);
  caf::anon_send_exit(ctrl[0], caf::exit_reason::user_shutdown); // SIGTERM
  run();
  size_t answered = 0;
  std::set<std::string> stopped;
  for (int i = 1; i <= 20; ++i)
    rs[static_cast<size_t>(i - 1)].receive(
      [&](std::string& s) {
        ++answered;
        stopped.insert(fmt::format("worker-{}", i));
        CHECK(s.find(" stopped") != std::string::npos);
      },
      [](caf::error&) {}); // not taken before the exit: refused, never half-done
  CHECK(answered >= 2); // the first write's and at least the one waiting behind it
  std::string text, err;
  REQUIRE(read_file(dir[0] + "/control.json", text, err));
  control_state saved{config(0)};
  std::vector<std::string> notes;
  REQUIRE_MESSAGE(saved.load(text, err, notes), err);
  for (int i = 1; i <= 20; ++i) {
    auto name = fmt::format("worker-{}", i);
    CAPTURE(name);
    CHECK(saved.find(name)->monitored == !stopped.count(name)); // every answer is on disk
  }
  spawn_agent(0); // the fixture's teardown stops a live agent
  run();
}

TEST_CASE_FIXTURE(pair_fixture, "a SIGHUP takes only what was edited in the file, and an edit "
                                "made across a partition wins at the heal as hbsctl's would") {
  advance(1s);
  auto sighup = [&](int me, tuning edited, bool action_edited, cfg::failure_action a) {
    return ask<std::string>(ctrl[me], reload_atom_v, edited, edited.period_ms || edited.minor
                            || edited.degrade || edited.loss, a, action_edited);
  };
  CHECK(ask<std::string>(ctrl[0], tune_atom_v, tuning{200, 0, 0, 0})
        == "period 100 -> 200 ms, thresholds 4/6/10 -> 4/6/10");
  // The file's loss edited: hbsctl's period stays in force (the file still says 100).
  CHECK(sighup(0, {0, 0, 0, 12}, false, cfg::failure_action::fail)
        == "period 200 -> 200 ms, thresholds 4/6/10 -> 4/6/12");
  CHECK(sighup(1, {0, 0, 0, 0}, false, cfg::failure_action::fail) == "nothing changed");
  advance_one_active(1s);
  CHECK(control(1).tune().value == tuning{200, 4, 6, 12});
  cut_link();
  advance_one_active(500ms);
  CHECK(ask<std::string>(ctrl[1], tune_atom_v, tuning{300, 0, 0, 0})
        == "period 200 -> 300 ms, thresholds 4/6/12 -> 4/6/12");
  CHECK(ask<std::string>(ctrl[1], action_atom_v, cfg::failure_action::alarm)
        == "failure action alarm (was fail)");
  advance_one_active(1s);
  // Later, controller-0's file is edited to the values it has: a command all the same.
  CHECK(sighup(0, {200, 0, 0, 0}, true, cfg::failure_action::fail)
        == "period 200 ms, thresholds 4/6/12 unchanged; failure action already fail");
  advance_one_active(1s);
  heal_link();
  advance_one_active(1s);
  for (int me : {0, 1}) {
    CAPTURE(me);
    CHECK(control(me).tune().value == tuning{200, 4, 6, 12});
    CHECK(control(me).action().value == cfg::failure_action::fail);
  }
}

TEST_CASE_FIXTURE(pair_fixture, "activating the survivor during a partition makes both active "
                                "until the heal, with epochs that tell them apart") {
  advance(1s);
  cut_link();
  advance(500ms);
  auto before = ask<agent_status>(ctrl[0], status_atom_v).epoch;
  CHECK(ask<std::string>(ctrl[1], activate_atom_v, std::string{"controller-1"})
        .find("controller-1 is active") == 0);
  run();
  CHECK(active(1)); // at once: the operator's explicit choice
  CHECK(active(0)); // it cannot know
  auto s0 = ask<agent_status>(ctrl[0], status_atom_v);
  auto s1 = ask<agent_status>(ctrl[1], status_atom_v);
  CHECK(s0.role_note.find("both agents are active until the link heals") != std::string::npos);
  CHECK(s1.role_note.find("both agents are active until the link heals") != std::string::npos);
  CHECK(s1.epoch > s0.epoch);
  CHECK(s0.epoch == before);
  // Events of each side carry its epoch: a consumer keeps the higher.
  kill_host(7);
  advance(1500ms);
  auto loss_epoch = [&](int me) {
    for (auto& e : events(me))
      if (e.kind == "loss" && e.host == "worker-7")
        return e.epoch;
    return uint64_t{0};
  };
  CHECK(loss_epoch(0) == s0.epoch);
  CHECK(loss_epoch(1) == s1.epoch);
  heal_link(); // both exchange their state: the newer designation wins on both
  CHECK(num_active() == 1);
  CHECK(active(1));
}

TEST_CASE_FIXTURE(pair_fixture, "a stopped (powered-off) host stays stopped after a restart: "
                                "no false loss or alarm") {
  advance(1s);
  CHECK(ask<std::string>(ctrl[0], stop_atom_v, std::string{"worker-5"}) == "worker-5 stopped");
  CHECK(ask<std::string>(ctrl[1], del_atom_v, std::string{"worker-6"}) == "deleted worker-6");
  kill_host(5);
  kill_host(6);
  advance(1s);
  restart(0);
  restart(1, false); // controller-1 comes back cut off: its own state must be enough
  advance(5s);
  heal_link();
  advance(2s);
  for (int me : {0, 1}) {
    CAPTURE(me);
    CHECK(lines(me, "loss") == 0);
    CHECK(lines(me, "alarm_raise") == 0);
    CHECK_FALSE(ask<host_status>(ctrl[me], host_atom_v, std::string{"worker-5"}).started);
    CHECK(control(me).find("worker-6") == nullptr);
    auto v = vault(me);
    CHECK(hist(v, uint8_t(me)).enabled.back() == 28); // 30 less the stopped and deleted
    CHECK(hist(v, uint8_t(me)).responding.back() == 28);
  }
}

TEST_CASE_FIXTURE(pair_fixture, "only the active agent writes customer logs") {
  advance(1s);
  ask<std::string>(ctrl[1], action_atom_v, cfg::failure_action::alarm);
  run();
  CHECK(count(events(0), "customer_log") == 1);
  CHECK(count(events(1), "customer_log") == 0);
}

TEST_CASE_FIXTURE(pair_fixture, "a swact hands standing alarms and verdicts over without churn") {
  advance(1s);
  kill_host(20);
  advance(2s);
  REQUIRE(count(events(0), "failed") == 1);
  REQUIRE(count(events(0), "alarm_raise") == 2); // major at degrade, critical at loss
  advance(500ms);
  auto e0 = events(0).size();
  auto e1 = events(1).size();
  ask<std::string>(ctrl[0], activate_atom_v, std::string{"controller-1"});
  advance(2s);
  auto after = [&](int me, size_t from) {
    auto es = events(me);
    return std::vector<event>(es.begin() + static_cast<std::ptrdiff_t>(from), es.end());
  };
  for (int me : {0, 1}) {
    CAPTURE(me);
    auto es = after(me, me == 0 ? e0 : e1);
    CHECK(count(es, "alarm_clear") == 0);
    CHECK(count(es, "alarm_raise") == 0);
    CHECK(count(es, "failed") == 0); // the verdict stands: not applied twice
  }
  auto a = ask<std::vector<alarm_view>>(ctrl[1], alarms_atom_v);
  REQUIRE(a.size() == 1);
  CHECK(a[0].host == "worker-20");
  CHECK(a[0].severity == "critical");
}

TEST_CASE_FIXTURE(pair_fixture, "a newly active agent fails a host it already sees lost, once, "
                                "and not again after a restart") {
  advance(1s);
  cut_from_c1.push_back(parse_ipv4(worker_addr(21))); // only controller-1 loses it
  advance(2s);
  CHECK(count(events(1), "failed") == 0); // inactive: no verdict
  ask<std::string>(ctrl[0], activate_atom_v, std::string{"controller-1"});
  advance(500ms);
  auto es = events(1);
  REQUIRE(count(es, "failed") == 1);
  CHECK(count(es, "alarm_raise") == 1);
  restart(1);
  advance(3s); // lost again on controller-1 after its restart
  CHECK(lines(1, "failed", "worker-21") == 1);
  CHECK(lines(1, "alarm_raise", "worker-21") == 1);
  CHECK(lines(1, "alarm_clear", "worker-21") == 0);
  CHECK(lines(1, "loss", "worker-21") == 1); // inactive before: its first loss was only logged
}

TEST_CASE_FIXTURE(pair_fixture, "a restarted active agent does not fail a dead host again or "
                                "rewrite its standing alarm") {
  advance(1s);
  kill_host(22);
  advance(2s);
  REQUIRE(lines(0, "failed", "worker-22") == 1);
  restart(0);
  advance(3s);
  CHECK(active(0));
  CHECK(lines(0, "loss", "worker-22") == 2);
  CHECK(lines(0, "failed", "worker-22") == 1);
  CHECK(lines(0, "alarm_raise", "worker-22") == 2); // the two of the first outage
  CHECK(lines(0, "alarm_clear", "worker-22") == 0);
}

TEST_CASE_FIXTURE(pair_fixture, "activating the inactive agent hands over: the active one steps "
                                "down first, at no step are both active") {
  advance(1s);
  REQUIRE(active(0));
  auto is_active = [&](int me) { return state_of<controller_state>(ctrl[me]).active; };
  auto reply = self->request(ctrl[1], caf::infinite, activate_atom_v, std::string{"controller-1"});
  size_t steps = 0;
  while (sched.try_run_once()) { // one message at a time, both agents and the link between
    ++steps;
    REQUIRE_FALSE((is_active(0) && is_active(1)));
  }
  CHECK(steps > 3);
  reply.receive([](std::string& s) { CHECK(s.find("controller-1 is active") == 0); },
                [](caf::error& e) { FAIL("activate refused: " << to_string(e)); });
  CHECK(is_active(1));
  CHECK_FALSE(is_active(0));
  // Each change of role is an event, stamped when it was decided: down before up.
  CHECK(lines(0, "role_inactive") == 1);
  CHECK(lines(1, "role_active") == 1);
  auto time_of = [&](int me, const std::string& kind) {
    for (auto& l : event_lines(me))
      if (l.find("\"kind\":\"" + kind + "\"") != std::string::npos)
        return static_cast<int64_t>(std::stoll(l.substr(l.find("\"time_ms\":") + 10)));
    return int64_t{-1};
  };
  CHECK(time_of(0, "role_inactive") <= time_of(1, "role_active"));
}

TEST_CASE_FIXTURE(pair_fixture, "without the link, activating the survivor is not held up") {
  advance(1s);
  cut_link();
  kill_agent(0);
  CHECK(ask<std::string>(ctrl[1], activate_atom_v, std::string{"controller-1"})
        .find("controller-1 is active") == 0);
  run();
  CHECK(active(1));
}

TEST_CASE_FIXTURE(pair_fixture, "an operator's activate during the hold-off takes effect at "
                                "once when the designation already names the agent") {
  advance(1s);
  restart(0, false); // the peer unreachable: inactive for the hold-off
  advance(500ms);
  REQUIRE_FALSE(active(0));
  ask<std::string>(ctrl[0], activate_atom_v, std::string{"controller-0"});
  run();
  CHECK(active(0)); // found by starlingx mode: mtcAgent's ACTIVE_CTRL names it at start
}
