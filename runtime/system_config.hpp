#pragma once
// The one place CAF is configured, in code (never caf-application.ini): the sharing
// scheduler (no idle busy-polling), every message type, the middleman for hbsctl and peers.

#include <chrono>
#include <cstddef>

#include <caf/actor_system_config.hpp>

#include "runtime/scheduling.hpp"
#include "runtime/signals.hpp"
#include "runtime/tls.hpp"

namespace hbs {

// keepalive: BASP heartbeat interval; the link drops after 5 silent intervals. It must be
// the same on both agents (asymmetric settings drop healthy links).
// tls: load CAF's OpenSSL module with these files (the peer link); empty: none.
// workers: the scheduler's threads (runtime/scheduling.hpp, worker_threads).
void configure(caf::actor_system_config& cfg, bool with_middleman,
               std::chrono::milliseconds keepalive = std::chrono::milliseconds{1000},
               const tls_files& tls = {}, std::size_t workers = default_workers);

} // namespace hbs
