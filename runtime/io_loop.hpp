#pragma once
// One thread that waits on every pulse/SM socket (epoll, one-shot) and runs the owner's
// readiness callback, which wakes the owning actor. The actor reads its own socket, so
// datagrams never cross threads and are never copied into messages.

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>

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
  void forget(int fd);

private:
  void run();

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::mutex mtx_;
  std::unordered_map<int, std::function<void()>> callbacks_;
};

} // namespace hbs
