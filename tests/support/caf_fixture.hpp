#pragma once
// Deterministic CAF tests under doctest: the test_coordinator runs every actor on the test
// thread and the actor clock is simulated, so seconds of heartbeat take milliseconds.

#include <cstdint>
#include <functional>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

#include <doctest/doctest.h>

#include "messages/type_ids.hpp"

namespace hbs::test {

struct caf_fixture {
  using sched_t = caf::scheduler::test_coordinator;

  static caf::actor_system_config& init(caf::actor_system_config& cfg) {
    add_types(cfg);
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.inline-output", true);
    return cfg;
  }

  caf_fixture()
    : sys(init(cfg)), self(sys, true),
      sched(dynamic_cast<sched_t&>(sys.scheduler())) {
    sched.clock().current_time += std::chrono::hours(1);
  }

  ~caf_fixture() {
    if (timer) { // the system waits for every actor it runs
      caf::anon_send_exit(timer, caf::exit_reason::user_shutdown);
      run();
    }
  }

  size_t run() { return sched.run(); }

  // Moves simulated time forward in steps, running every message due at each step.
  void advance(caf::timespan total, caf::timespan step = std::chrono::milliseconds{10}) {
    for (caf::timespan done{0}; done < total; done += step) {
      sched.advance_time(step);
      run();
    }
  }

  caf::actor_clock::time_point now() { return sched.clock().now(); }

  // The simulated clock read as a wall clock in ms (controller_setup::wall_ms): the control
  // state's stamps then follow simulated time, as they follow the real one in a daemon.
  std::function<int64_t()> sim_wall_ms() {
    return [this] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch())
        .count();
    };
  }

  // Runs fn after `pause` of simulated time, on the test thread (a test double's timer).
  void after(caf::timespan pause, std::function<void()> fn) {
    if (!timer)
      timer = sys.spawn([this](caf::event_based_actor*) -> caf::behavior {
        return {[this](tick_atom, uint64_t id) {
          auto f = std::move(timers.at(id));
          timers.erase(id);
          f();
        }};
      });
    timers.emplace(++num_timers, std::move(fn));
    caf::delayed_anon_send(timer, pause, tick_atom_v, num_timers);
  }

  // An actor's state, read directly: safe here, everything runs on the test thread.
  template <class State, class Handle>
  State& state_of(const Handle& h) {
    using base = typename Handle::template stateful_base<State>;
    return dynamic_cast<base&>(*caf::actor_cast<caf::abstract_actor*>(h)).state;
  }

  template <class T, class Handle, class... Ts>
  T ask(const Handle& h, Ts&&... xs) {
    T out{};
    // Responses reach a blocking actor only through the request's own handle.
    auto pending = self->request(h, caf::infinite, std::forward<Ts>(xs)...);
    run();
    pending.receive([&](T& x) { out = std::move(x); },
                  [&](caf::error& e) { FAIL("request failed: " << sys.render(e)); });
    return out;
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scoped_actor self;
  sched_t& sched;
  caf::actor timer; // spawned by the first after()
  std::map<uint64_t, std::function<void()>> timers;
  uint64_t num_timers = 0;
};

} // namespace hbs::test
