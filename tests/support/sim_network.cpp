#include "tests/support/sim_network.hpp"

#include <cstring>

namespace hbs::test {

size_t sim_socket::receive(datagram* out, size_t max) {
  size_t n = 0;
  while (n < max && !queue_.empty()) {
    out[n] = queue_.front();
    queue_.pop_front();
    if (!stamping) // decided when read, as the kernel puts its control message then
      out[n].rx_ns = 0;
    num_stamped += out[n++].rx_ns != 0;
  }
  return n;
}

size_t sim_socket::send(const outgoing* batch, size_t n) {
  for (size_t i = 0; i < n; ++i) // a chosen source address, as IP_PKTINFO gives (hbs-sim)
    net_.deliver(batch[i].source != 0 ? batch[i].source : addr_, port_, batch[i]);
  return n;
}

int64_t sim_socket::clock_ns() const {
  return net_.clock ? net_.clock() : 0;
}

void sim_socket::rearm() {
  ++num_rearms;
  armed_ = true;
  if (!queue_.empty())
    fire();
}

bool sim_socket::rearm_after(std::chrono::milliseconds pause) {
  if (!net_.after || !notify_)
    return false;
  armed_ = false;
  std::weak_ptr<sim_socket> me = shared_from_this();
  net_.after(pause, [me] {
    if (auto s = me.lock(); s && s->notify_) {
      ++s->num_pauses;
      s->notify_();
    }
  });
  return true;
}

void sim_socket::push(const datagram& d) {
  queue_.push_back(d);
  fire();
}

void sim_socket::fire() {
  if (armed_ && notify_) {
    armed_ = false;
    notify_();
  }
}

std::shared_ptr<sim_socket> sim_network::bind(const std::string& addr, uint16_t port,
                                              const std::string& group) {
  auto s = std::make_shared<sim_socket>(*this, parse_ipv4(addr), port);
  bound_[{parse_ipv4(addr), port}].push_back(s);
  if (!group.empty())
    bound_[{parse_ipv4(group), port}].push_back(s);
  return s;
}

void sim_network::deliver(uint32_t from, uint16_t from_port, const outgoing& o) {
  auto it = bound_.find({o.addr, o.port});
  if (it == bound_.end())
    return;
  for (auto& weak : it->second) {
    auto s = weak.lock();
    if (!s)
      continue;
    if (drop && drop(from, o.addr, o.port)) {
      ++num_dropped;
      continue;
    }
    datagram d;
    d.addr = from;
    d.port = from_port;
    d.size = o.size;
    if (clock)
      d.rx_ns = clock() + (delay ? delay(from, o.addr) : 0);
    std::memcpy(d.data.data(), o.data, std::min<size_t>(o.size, d.data.size()));
    ++num_delivered;
    s->push(d);
  }
}

} // namespace hbs::test
