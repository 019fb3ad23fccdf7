#pragma once
// The one place CAF is configured, in code (never caf-application.ini): the sharing
// scheduler (no idle busy-polling), every message type, the middleman for hbsctl and peers.

#include <caf/actor_system_config.hpp>

namespace hbs {

void configure(caf::actor_system_config& cfg, bool with_middleman);

// Signals a daemon waits for in sigwait(); blocked before any thread starts.
void block_daemon_signals();
int wait_for_signal(); // returns the signal number

} // namespace hbs
