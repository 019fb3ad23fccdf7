#pragma once
// Deterministic CAF tests under doctest: the test_coordinator runs every actor on the test
// thread and the actor clock is simulated, so seconds of heartbeat take milliseconds.

#include <caf/actor_system.hpp>
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

  size_t run() { return sched.run(); }

  // Moves simulated time forward in steps, running every message due at each step.
  void advance(caf::timespan total, caf::timespan step = std::chrono::milliseconds{10}) {
    for (caf::timespan done{0}; done < total; done += step) {
      sched.advance_time(step);
      run();
    }
  }

  caf::actor_clock::time_point now() { return sched.clock().now(); }

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
};

} // namespace hbs::test
