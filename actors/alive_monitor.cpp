#include "actors/alive_monitor.hpp"

#include <cstring>

#include "runtime/log.hpp"

namespace hbs {

namespace {

constexpr const char* pulse_header = "pmond alive pulse";
constexpr size_t pulse_size = 100;

} // namespace

void alive_monitor::drain() {
  size_t n;
  do {
    n = socket_->receive(rx_.data(), rx_.size());
    for (size_t i = 0; i < n; ++i)
      if (rx_[i].size == pulse_size
          && std::memcmp(rx_[i].data.data(), pulse_header, std::strlen(pulse_header)) == 0)
        num_pulses_.fetch_add(1, std::memory_order_relaxed);
  } while (n == rx_.size());
}

void alive_monitor::close_window() {
  bool alive = num_pulses_.exchange(0) > 0;
  if (alive != alive_) {
    log::info("alive", "process monitor {}", alive ? "alive again" : "silent for 5 s");
    for (auto* r : responders_)
      r->set_pmond_alive(alive);
  }
  alive_ = alive;
}

} // namespace hbs
