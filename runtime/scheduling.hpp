#pragma once
// Real-time scheduling for the heartbeat path (reference §9.1 step 8: hbsAgent runs SCHED_RR
// at mtc.conf's scheduling_priority). Applied before any thread starts, so the CAF workers,
// the middleman and the socket-readiness thread all inherit it: a busy machine then delays
// the agent by microseconds, not by scheduler slices.

#include <cstddef>
#include <functional>
#include <string>

namespace hbs {

// priority 0 leaves the normal policy. Returns false with a message when the kernel refuses
// (no CAP_SYS_NICE, or a container without real-time budget); the caller decides whether
// that is fatal (it is not for hbs: the local-health counters then show the cost).
bool use_realtime_scheduling(int priority, std::string& error);

// Runs `start` on a short-lived thread at the normal policy and nice 19 and waits for it,
// so the threads it starts inherit that instead of the heartbeat's real-time priority: work
// that must never delay a period (the metrics exposer's HTTP thread, which formats every
// scrape) then takes only the CPU the heartbeat leaves. Returns false with a message when
// the kernel refuses the lower priority (`start` has run anyway).
bool start_at_low_priority(const std::function<void()>& start, std::string& error);

// CPUs this process may run on (its affinity: taskset, systemd's CPUAffinity=, a cpuset
// cgroup); 0 when the kernel does not say.
std::size_t allowed_cpus();

// Workers the scheduler wants where CPUs allow: one per monitored network, so the two
// networks' bursts are read in parallel.
constexpr std::size_t default_workers = 2;

// The scheduler's worker threads: `wanted`, but no more than the CPUs the process may run on
// (`allowed`, 0: unknown). On one CPU a second worker runs nothing in parallel: it only takes
// turns with the first, so the two networks' bursts interleave and each takes twice its CPU
// time in wall-clock time (10,000 hosts, agent on one core: busy p99 30-34 ms wall for 15-18
// ms of CPU with two workers, 17-18 ms wall with one). Blocking file writes then need
// threads of their own (controller_setup::own_threads), or they would hold the only worker.
std::size_t worker_threads(std::size_t wanted, std::size_t allowed);

} // namespace hbs
