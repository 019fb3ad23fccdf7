#pragma once
// hbs-client's view of the local process monitor: counts "pmond alive pulse" datagrams of
// exactly 100 bytes in 5-second windows (reference §9.3) and tells the responders. Not an
// actor (see responder.hpp): drain() runs on the socket thread, close_window() on the
// client's main thread every 5 s. No CAF include.

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "actors/responder.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

constexpr auto pmond_window = std::chrono::seconds{5};

class alive_monitor {
public:
  alive_monitor(std::shared_ptr<datagram_socket> socket, std::vector<responder*> responders)
    : socket_(std::move(socket)), responders_(std::move(responders)) {}

  // Reads every datagram waiting; counts those that are pmond's pulses.
  void drain();
  // Ends a window: silent for all of it, the responders report the monitor as down.
  void close_window();
  bool alive() const { return alive_; }

private:
  std::shared_ptr<datagram_socket> socket_;
  std::vector<responder*> responders_;
  std::atomic<uint64_t> num_pulses_{0}; // in the current window
  bool alive_ = true;                   // until the first window closes
  std::array<datagram, 8> rx_;
};

} // namespace hbs
