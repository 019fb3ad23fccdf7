// The controller's durable control state on the peer link (controller_ops.cpp when_durable,
// controller.cpp on_holdoff): nothing this agent stamped reaches the peer before its clock is
// on disk, and a restarted agent takes no role while the peer's state is on its way. Stores
// are held back (`run_but_store`) in simulated time.
#include <doctest/doctest.h>

#include "tests/support/pair_fixture.hpp"

using namespace hbs;
using namespace std::chrono_literals;
using test::pair_fixture;

TEST_CASE_FIXTURE(pair_fixture, "a change reaches the peer only once it is on disk: an agent "
                                "killed before its write never gives one stamp two values") {
  advance(1s);
  CHECK(ask<std::string>(ctrl[0], stop_atom_v, std::string{"worker-1"}) == "worker-1 stopped");
  // A second change in the same millisecond: its stamp is ahead of the wall clock, where a
  // restarted agent's clock can meet it again (a burst, or a peer whose clock runs ahead).
  auto first = control(0).generation();
  self->send(ctrl[0], stop_atom_v, std::string{"worker-5"}); // never answered: its agent dies
  run_but_store(0);
  REQUIRE(control(0).generation() == first + 1);
  CHECK(control(1).find("worker-5")->monitored); // not heard before the disk has it
  // The agent dies before the disk takes it (SIGKILL; the write never lands: kill_agent
  // would let the store take the write queued to it).
  state_of<store_state>(state_of<controller_state>(ctrl[0]).store).path.clear();
  kill_agent(0);
  spawn_agent(0);
  run();
  REQUIRE(control(0).find("worker-5")->monitored); // the lost change is gone
  CHECK(ask<std::string>(ctrl[0], start_atom_v, std::string{"worker-5"})
        == "worker-5 restarted");
  REQUIRE(control(0).generation() == first + 1); // the same stamp the lost change had
  heal_link();
  advance(1s);
  for (int me : {0, 1}) {
    CAPTURE(me);
    CHECK(control(me).find("worker-5")->monitored); // the operator's last word, on both
  }
  CHECK(control(0).find("worker-5")->started_at == control(1).find("worker-5")->started_at);
}

TEST_CASE_FIXTURE(pair_fixture, "neither a hand-over nor the sync on link-up carries a stamp "
                                "before the disk has it") {
  advance(1s);
  cut_link();
  self->send(ctrl[0], stop_atom_v, std::string{"worker-6"});
  run_but_store(0);
  REQUIRE_FALSE(control(0).find("worker-6")->monitored);
  for (int me : {0, 1})
    caf::anon_send(link_of(me), link_atom_v, gateway[1 - me]);
  run_but_store(0);
  CHECK(control(1).find("worker-6")->monitored); // controller-0's full state waits for it
  run();
  CHECK_FALSE(control(1).find("worker-6")->monitored); // ... and goes once it is written
  advance(1s);
  auto reply = self->request(ctrl[1], caf::infinite, activate_atom_v, std::string{"controller-1"});
  run_but_store(1);
  CHECK(is_active(0)); // the hand-over's request waits for controller-1's clock on disk
  CHECK(control(0).designation().value == "controller-0");
  run();
  reply.receive([](std::string& s) { CHECK(s.find("controller-1 is active") == 0); },
                [&](caf::error& e) { FAIL(sys.render(e)); });
  CHECK(active(1));
  CHECK_FALSE(active(0));
}

// controller-1 is made active, then (after `meanwhile`) dies, its file naming itself active;
// controller-0, the survivor, is activated.
template <class Meanwhile>
static void fail_over_to_controller_0(pair_fixture& f, Meanwhile meanwhile) {
  f.advance(1s);
  f.ask<std::string>(f.ctrl[1], activate_atom_v, std::string{"controller-1"});
  f.advance(1s);
  REQUIRE(f.is_active(1));
  meanwhile();
  f.kill_agent(1);
  f.ask<std::string>(f.ctrl[0], activate_atom_v, std::string{"controller-0"});
  REQUIRE(f.is_active(0));
}

// controller-1, active, dies having stopped worker-8 unseen (the link was cut); the survivor,
// activated, stops worker-9 (written) and then worker-7, whose write its disk holds; then
// controller-1 restarts and the link comes up.
static void restart_beside_a_slow_disk(pair_fixture& f) {
  fail_over_to_controller_0(f, [&] {
    f.cut_link();
    f.ask<std::string>(f.ctrl[1], stop_atom_v, std::string{"worker-8"});
  });
  f.ask<std::string>(f.ctrl[0], stop_atom_v, std::string{"worker-9"});
  f.self->send(f.ctrl[0], stop_atom_v, std::string{"worker-7"}); // waits for a slow disk
  f.run_but_store(0);
  f.spawn_agent(1);
  f.run_but_store(0);
  for (int me : {0, 1})
    caf::anon_send(f.link_of(me), link_atom_v, f.gateway[1 - me]);
  f.run_but_store(0);
  REQUIRE(f.state_of<controller_state>(f.ctrl[1]).link_up);
}

TEST_CASE_FIXTURE(pair_fixture, "a restarted agent linked to its peer takes no role until the "
                                "peer's state comes, however slow the peer's disk") {
  restart_beside_a_slow_disk(*this);
  run_but_store(0, 8s); // hold-offs pass; controller-0's state waits for its write
  CHECK_FALSE(is_active(1));
  CHECK(is_active(0));
  CHECK(control(1).find("worker-9")->monitored);
  // The write on its way holds the stamp: the state goes when it lands, not after the next
  // write (which controller-1's state, merged meanwhile, needs).
  REQUIRE(state_of<controller_state>(ctrl[0]).write_again);
  REQUIRE(sched.prioritize(state_of<controller_state>(ctrl[0]).store));
  sched.run_once();
  run_but_store(0);
  CHECK_FALSE(is_active(1));
  CHECK_FALSE(control(1).find("worker-9")->monitored); // the whole state, not only the change
  CHECK_FALSE(control(1).find("worker-7")->monitored);
  run();
  advance(1s);
  CHECK(active(0));
  CHECK_FALSE(active(1));
  for (int me : {0, 1})
    CHECK_FALSE(control(me).find("worker-8")->monitored);
}

TEST_CASE_FIXTURE(pair_fixture, "a restarted agent linked to a peer whose disk does not answer "
                                "takes the peer's state once the peer's write times out") {
  restart_beside_a_slow_disk(*this);
  run_but_store(0, 9900ms);
  CHECK_FALSE(state_of<controller_state>(ctrl[1]).role_settled);
  run_but_store(0, 200ms); // the store's timeout: the write failed, the state goes anyway
  CHECK(state_of<controller_state>(ctrl[1]).role_settled);
  CHECK_FALSE(is_active(1));
  CHECK(is_active(0));
  CHECK_FALSE(control(1).find("worker-9")->monitored);
  run();
}

TEST_CASE_FIXTURE(pair_fixture, "a link that drops while a restarted agent waits for the "
                                "peer's state starts the hold-off from the drop") {
  restart_beside_a_slow_disk(*this);
  run_but_store(0, 2500ms);
  for (int me : {0, 1})
    caf::anon_send_exit(gateway[me], caf::exit_reason::user_shutdown);
  run_but_store(0);
  REQUIRE_FALSE(state_of<controller_state>(ctrl[1]).link_up);
  run_but_store(0, 2900ms);
  CHECK_FALSE(state_of<controller_state>(ctrl[1]).role_settled); // not at the next tick
  run_but_store(0, 200ms);
  CHECK(state_of<controller_state>(ctrl[1]).role_settled); // unreachable for the hold-off
  for (int me : {0, 1})
    gateway[me] = sys.spawn(peer_gateway_fn, ctrl[me], peer_protocol);
  run();
}

TEST_CASE_FIXTURE(pair_fixture, "a restarted agent linked to a peer whose state never comes "
                                "settles on its own designation after peer_state_due") {
  fail_over_to_controller_0(*this, [] {});
  spawn_agent(1);
  run();
  caf::anon_send(link_of(1), link_atom_v, gateway[0]); // one way: controller-0's state stays
  run();
  REQUIRE(state_of<controller_state>(ctrl[1]).link_up);
  REQUIRE_FALSE(state_of<controller_state>(ctrl[0]).link_up);
  advance(peer_state_due - 500ms, 100ms);
  CHECK_FALSE(state_of<controller_state>(ctrl[1]).role_settled);
  advance(1s, 100ms);
  CHECK(state_of<controller_state>(ctrl[1]).role_settled);
  CHECK(is_active(1)); // its own file's designation (both active: the peer was not heard)
  cut_link();
}

TEST_CASE_FIXTURE(pair_fixture, "the step-down's own state waits for the disk like any other") {
  advance(1s);
  self->send(ctrl[0], action_atom_v, cfg::failure_action::alarm); // on its way to the disk
  run_but_store(0);
  REQUIRE(control(0).action().value == cfg::failure_action::alarm);
  auto reply = self->request(ctrl[1], caf::infinite, activate_atom_v, std::string{"controller-1"});
  run_but_store(0);
  CHECK(is_active(1)); // the hand-over needs nothing of controller-0's disk
  CHECK_FALSE(is_active(0));
  CHECK(control(1).action().value == cfg::failure_action::fail); // not before it is written
  run();
  CHECK(control(1).action().value == cfg::failure_action::alarm);
  reply.receive([](std::string& s) { CHECK(s.find("controller-1 is active") == 0); },
                [&](caf::error& e) { FAIL(sys.render(e)); });
}

TEST_CASE_FIXTURE(pair_fixture, "a hand-over whose stamp cannot be written is not begun") {
  advance(1s);
  state_of<store_state>(state_of<controller_state>(ctrl[1]).store).path =
    dir[1] + "/no-such-directory/control.json";
  auto reply = self->request(ctrl[1], caf::infinite, activate_atom_v, std::string{"controller-1"});
  run();
  reply.receive([](std::string& s) { FAIL("taken: " << s); },
                [&](caf::error& e) {
                  CHECK(sys.render(e).find("hand-over not begun") != std::string::npos);
                });
  advance(1s);
  CHECK(active(0));
  CHECK_FALSE(active(1));
  CHECK(control(0).designation().value == "controller-0");
  state_of<store_state>(state_of<controller_state>(ctrl[1]).store).path =
    dir[1] + "/control.json"; // the fixture's restart reads it
}
