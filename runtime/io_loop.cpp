#include "runtime/io_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

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
  if (!thread_.joinable())
    thread_ = std::thread{[this] { run(); }};
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
    callbacks_[fd] = std::move(on_ready);
  }
  epoll_event ev{};
  ev.events = EPOLLONESHOT;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void io_loop::arm(int fd) {
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

void io_loop::run() {
  epoll_event events[32];
  for (;;) {
    int n = epoll_wait(epoll_fd_, events, 32, -1);
    if (n < 0 && errno == EINTR)
      continue;
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == wake_fd_)
        return;
      std::function<void()> cb;
      {
        std::lock_guard<std::mutex> guard{mtx_};
        if (auto it = callbacks_.find(fd); it != callbacks_.end())
          cb = it->second;
      }
      if (cb)
        cb();
    }
  }
}

} // namespace hbs
