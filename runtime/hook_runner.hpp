#pragma once
// Runs the configured event hooks (config [[hooks]]) off the actors' threads: submit()
// only queues (bounded; a full queue drops and counts), worker threads spawn each hook with
// the event's JSON line on stdin and HBS_EVENT_KIND/HOST/NETWORK/CONTROLLER/ACTED in the
// environment, kill it at its timeout, and count and log failures. At most `workers` hooks
// run at once. No CAF include.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"

namespace hbs {

struct hook_event {
  std::string kind, host, network, controller, json;
  bool acted = true;
};

struct hook_counters {
  uint64_t num_run = 0;
  uint64_t num_failed = 0;    // exit status not 0, or could not start
  uint64_t num_timed_out = 0;
  uint64_t num_dropped = 0;   // the queue was full
};

class hook_runner {
public:
  hook_runner(std::vector<cfg::hook_config> hooks, size_t workers = 4, size_t queue = 256);
  ~hook_runner(); // waits for running hooks (each bounded by its timeout)

  bool wants(const std::string& kind, bool acted) const;
  void submit(hook_event e); // never blocks
  hook_counters counters() const;

private:
  void work();
  void run(const cfg::hook_config& h, const hook_event& e);

  std::vector<cfg::hook_config> hooks_;
  size_t max_queue_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<hook_event> queue_;
  bool stopping_ = false;
  hook_counters c_;
  std::vector<std::thread> threads_;
};

} // namespace hbs
