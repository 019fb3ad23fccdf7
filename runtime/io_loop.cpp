#include "runtime/io_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

namespace hbs {

io_loop::io_loop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0)
    throw std::runtime_error("cannot create epoll or eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

io_loop::~io_loop() {
  stop();
  close(wake_fd_);
  close(epoll_fd_);
}

void io_loop::start() {
  if (thread_.joinable())
    return;
  thread_ = std::thread{[this] { run(); }};
  pthread_setname_np(thread_.native_handle(), "hbs-io"); // tools and tests find it by name
}

void io_loop::stop() {
  if (!thread_.joinable())
    return;
  uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
  thread_.join();
}

void io_loop::watch(int fd, std::function<void()> on_ready) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    callbacks_[fd] = {std::move(on_ready), std::make_shared<std::atomic<int64_t>>(0)};
  }
  epoll_event ev{};
  ev.events = EPOLLONESHOT;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void io_loop::serve(int fd, std::function<void()> drain) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    callbacks_[fd] = {std::move(drain), std::make_shared<std::atomic<int64_t>>(0), true};
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void io_loop::arm(int fd) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (auto it = callbacks_.find(fd); it != callbacks_.end()) {
      it->second.ready_since->store(0, std::memory_order_relaxed);
      if (it->second.inline_drain)
        return; // level-triggered: never disarmed
    }
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.fd = fd;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void io_loop::forget(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  std::lock_guard<std::mutex> guard{mtx_};
  callbacks_.erase(fd);
}

int64_t io_loop::oldest_unserved_ms() const {
  auto now = steady_ns();
  int64_t oldest = 0;
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& [fd, w] : callbacks_)
    if (auto since = w.ready_since->load(std::memory_order_relaxed); since != 0)
      oldest = std::max(oldest, (now - since) / 1000000);
  return oldest;
}

void io_loop::run() {
  epoll_event events[32];
  for (;;) {
    beat_.now();
    int n = epoll_wait(epoll_fd_, events, 32, 500); // wakes at least twice a second
    if (n < 0 && errno == EINTR)
      continue;
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_)
        return;
      watched w;
      {
        std::lock_guard<std::mutex> guard{mtx_};
        if (auto it = callbacks_.find(fd); it != callbacks_.end())
          w = it->second;
      }
      if (!w.on_ready)
        continue;
      int64_t expect = 0; // readable from now until its actor re-arms it
      w.ready_since->compare_exchange_strong(expect, steady_ns());
      w.on_ready();
      if (w.inline_drain) // drained on this thread: served
        w.ready_since->store(0, std::memory_order_relaxed);
    }
  }
}

} // namespace hbs
