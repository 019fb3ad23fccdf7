#pragma once
// One thread that waits on every pulse/SM socket (epoll, one-shot) and runs the owner's
// readiness callback, which wakes the owning actor. The actor reads its own socket, so
// datagrams never cross threads and are never copied into messages. For the watchdog it
// beats at least twice a second and knows how long a socket has waited for its actor.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "runtime/beat.hpp"

namespace hbs {

class io_loop {
public:
  io_loop();
  ~io_loop();
  io_loop(const io_loop&) = delete;
  io_loop& operator=(const io_loop&) = delete;

  void start();
  void stop();
  void watch(int fd, std::function<void()> on_ready); // registered disarmed
  void arm(int fd);                                   // next readiness runs on_ready once
  // Level-triggered and never disarmed: on_ready runs on this thread each time fd is
  // readable and must drain it before it returns (hbs-client's responders). Saves the
  // epoll_ctl of a re-arm per wake-up; arm(fd) is then a no-op.
  void serve(int fd, std::function<void()> drain);
  void forget(int fd);

  const beat& liveness() const { return beat_; }
  // Milliseconds the longest-waiting socket has been readable without its actor re-arming
  // it (it did not drain it yet); 0 when every socket is served.
  int64_t oldest_unserved_ms() const;

private:
  struct watched {
    std::function<void()> on_ready;
    std::shared_ptr<std::atomic<int64_t>> ready_since; // 0: served
    bool inline_drain = false;                          // serve(): drained by on_ready
  };
  void run();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  mutable std::mutex mtx_;
  std::unordered_map<int, watched> callbacks_;
  beat beat_;
};

} // namespace hbs
