#include "runtime/scheduling.hpp"

#include <cerrno>
#include <cstring>

#include <sched.h>

#include <fmt/format.h>

namespace hbs {

bool use_realtime_scheduling(int priority, std::string& error) {
  if (priority <= 0)
    return true;
  sched_param p{};
  p.sched_priority = priority;
  // Round-robin, not FIFO: the agent's own threads share the priority and must take turns.
  if (sched_setscheduler(0, SCHED_RR, &p) == 0)
    return true;
  error = fmt::format("cannot switch to SCHED_RR priority {}: {} (running with the normal "
                      "policy; stalled periods in `hbsctl status` show what that costs)",
                      priority, std::strerror(errno));
  return false;
}

} // namespace hbs
