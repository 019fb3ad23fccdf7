#pragma once
// hbs-client's side of pmond's active monitor (reference §9.2: requests on port 2202 every
// 5 s, 4 s to answer, 5 misses and pmond restarts the client). Each request is answered at
// once, on the socket thread, to 127.0.0.1:reply_port (amon's 2200) as StarlingX's amon
// library does (messages/amon_message). Not an actor (see responder.hpp). No CAF include.

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "messages/amon_message.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

struct active_monitor_setup {
  std::shared_ptr<datagram_socket> socket; // bound to 127.0.0.1:amon_port
  std::string name;                        // the process name pmond's conf gives
  uint16_t reply_port = 2200;
};

class active_monitor {
public:
  explicit active_monitor(active_monitor_setup s) : setup_(std::move(s)) {}

  // Reads every request waiting and answers the well-formed ones for this process.
  void drain();

  uint64_t num_answered() const { return num_answered_.load(std::memory_order_relaxed); }
  uint64_t num_rejected(wire::amon_error e) const {
    return num_rejected_[static_cast<size_t>(e)].load(std::memory_order_relaxed);
  }

private:
  void answer(const datagram& d);
  void reject(wire::amon_error e, const datagram& d);

  active_monitor_setup setup_;
  std::atomic<uint64_t> num_answered_{0};
  std::array<std::atomic<uint64_t>, wire::num_amon_errors> num_rejected_{};
  std::array<datagram, 4> rx_;
};

} // namespace hbs
