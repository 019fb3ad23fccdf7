#include "actors/sim.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = sim_actor::stateful_pointer<sim_state>;
using namespace std::chrono_literals;

using wire::wall_ms;

constexpr uint32_t loopback_addr = 0x7F000001; // 127.0.0.1

void flush(self_ptr self) {
  auto& st = self->state;
  if (st.pending == 0)
    return;
  auto sent = st.setup.sockets[st.pending_net]->send(st.out.data(), st.pending);
  st.num_replies += sent;
  st.num_send_errors += st.pending - sent;
  st.pending = 0;
}

// A group request's answers mostly echo its cluster block: encoded once per request (the
// simulator's own cost is what the agent is measured against), then copied per host.
size_t encode_answer(sim_state& st, const cross_result& r, answer_buffer& buf) {
  auto size = wire::encode_pulse_header(wire::pulse_kind::response, st.response,
                                        {buf.data(), buf.size()});
  if (!r.block)
    return size;
  auto* tail = buf.data() + size;
  auto room = buf.size() - size;
  if (r.block != &st.request.cluster)
    return size + wire::encode_cluster(*r.block, {tail, room});
  if (st.request_block_size == 0)
    st.request_block_size = wire::encode_cluster(*r.block, {st.request_block.data(),
                                                            st.request_block.size()});
  std::memcpy(tail, st.request_block.data(), st.request_block_size);
  return size + st.request_block_size;
}

void answer(self_ptr self, uint8_t net, size_t host, uint32_t requester) {
  auto& st = self->state;
  auto& f = *st.faults;
  if (f.silent(host, net, st.now_ms)) {
    ++st.num_silent;
    return;
  }
  if (f.dropped(st.rng() % 100)) {
    ++st.num_dropped;
    return;
  }
  uint32_t flags = wire::pmond_flag | (st.setup.nets.size() > 1 ? wire::cluster_host_flag : 0);
  auto& buf = st.tx[st.pending];
  auto size = encode_answer(st, st.cross[net][host].respond_header(st.request, flags,
                                                                   st.response), buf);
  if (st.setup.auth) // one HMAC per response, as each real client signs its own
    size = st.setup.auth->seal(buf.data(), size, buf.size(), st.now_ms);
  auto source = st.setup.base[net] + static_cast<uint32_t>(host);
  auto port = st.setup.nets[net].agent_port;
  if (f.delay_ms() > 0) {
    self->delayed_send(self, std::chrono::milliseconds{f.delay_ms()}, push_atom_v,
                       std::vector<uint8_t>(buf.begin(), buf.begin() + size), requester, source,
                       port);
    return;
  }
  st.out[st.pending++] = {requester, source, port, static_cast<uint16_t>(size), buf.data()};
  if (st.setup.mirror && st.setup.mirror_port != 0) // the same bytes, to the floor
    st.out[st.pending++] = {loopback_addr, source,
                            static_cast<uint16_t>(st.setup.mirror_port + net),
                            static_cast<uint16_t>(size), buf.data()};
  if (st.pending + 2 > sim_batch)
    flush(self);
}

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::system_clock::now().time_since_epoch()).count();
}

// One JSON line on stdout when this wake-up answered a request 20 ms or more after the
// kernel queued it, or could not send some answers: the simulated hosts failed, not the
// agent (benches attribute false events with it). It shares the agent's CPUs.
void report_late(self_ptr self, uint8_t net, uint32_t sequence, int64_t rx_ns, int64_t late_ns,
                 uint64_t send_errors) {
  ++self->state.num_late_requests;
  nlohmann::json j{{"time_ms", wall_ms()},
                   {"late_request", {{"network", cfg::network_key(net)},
                                     {"sequence", sequence}, {"rx_ms", rx_ns / 1000000},
                                     {"late_ms", late_ns / 1000000},
                                     {"send_errors", send_errors}}}};
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

void serve(self_ptr self, uint8_t net) {
  auto& st = self->state;
  auto& sock = *st.setup.sockets[net];
  auto hosts = st.setup.names.size();
  st.pending_net = net;
  int64_t worst = 0, worst_rx = wall_ns();
  uint32_t worst_seq = 0;
  auto send_errors = st.num_send_errors;
  for (int batches = 0; batches < 1000; ++batches) {
    auto n = sock.receive(st.rx.data(), st.rx.size());
    for (size_t i = 0; i < n; ++i) {
      auto& d = st.rx[i];
      ++st.num_requests;
      size_t size = std::min<size_t>(d.size, d.data.size() + 1);
      wire::auth_result r;
      st.now_ms = wall_ms();
      if (st.setup.auth && !st.setup.auth->admit(d.data.data(), std::min<size_t>(d.size,
                                                   d.data.size()), st.now_ms, size, r)) {
        ++st.num_malformed;
        continue;
      }
      st.request_block_size = 0;
      if (wire::decode_pulse(wire::pulse_kind::request, {d.data.data(), size}, st.request)
          != wire::decode_error::none) {
        ++st.num_malformed;
        continue;
      }
      bool to_group = d.dest == 0 || (d.dest >> 28) == 0xE;
      if (to_group) {
        for (size_t h = 0; h < hosts; ++h)
          answer(self, net, h, d.addr);
      } else if (d.dest - st.setup.base[net] < hosts) {
        answer(self, net, d.dest - st.setup.base[net], d.addr);
      }
      if (to_group)
        flush(self); // every host's answer is out: now is when this request was answered
      if (d.rx_ns > 0 && wall_ns() - d.rx_ns > worst) {
        worst = wall_ns() - d.rx_ns;
        worst_rx = d.rx_ns;
        worst_seq = st.request.sequence;
      }
    }
    flush(self);
    if (n < st.rx.size())
      break;
  }
  send_errors = st.num_send_errors - send_errors;
  if (worst >= 20000000 || send_errors > 0)
    report_late(self, net, worst_seq, worst_rx, worst, send_errors);
  sock.rearm();
}

void take(self_ptr self, uint8_t net) {
  auto& st = self->state;
  st.serving[net] = true;
  caf::weak_actor_ptr weak{self->ctrl()};
  st.setup.sockets[net]->on_readable([weak, net] {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<sim_actor>(strong), readable_atom_v, net);
  });
  st.setup.sockets[net]->rearm(); // reports requests already waiting
}

// Network 1 to the helper (copies on) or back. A readiness the old owner still gets is
// ignored there; the new owner re-arms after taking the socket, so no request waits unseen.
void hand_over(self_ptr self, bool to_helper) {
  auto& st = self->state;
  if (to_helper) {
    st.serving[1] = false;
    self->send(*st.setup.helper, watch_atom_v, uint8_t{1});
    return;
  }
  self->request(*st.setup.helper, caf::infinite, unwatch_atom_v, uint8_t{1})
    .then([=](bool) {
      if (!self->state.setup.mirror) // not on again meanwhile (then the helper has it)
        take(self, 1);
    });
}

// "mirror on|off": the floor's copies, not a fault. The bench measures the agent alone and
// then the agent beside the floor, so the copies never load the agent's quiet window.
std::optional<fault_result> mirror_command(self_ptr self, const std::string& text) {
  if (text.rfind("mirror", 0) != 0)
    return std::nullopt;
  fault_result r;
  auto& setup = self->state.setup;
  if (text != "mirror on" && text != "mirror off") {
    r.error = "usage: mirror on|off";
  } else if (setup.mirror_port == 0) {
    r.error = "no --mirror-port";
  } else {
    bool was = setup.mirror;
    setup.mirror = text == "mirror on";
    r.ok = true;
    if (setup.mirror != was && setup.helper && setup.nets.size() > 1)
      hand_over(self, setup.mirror);
  }
  return r;
}

void command(self_ptr self, const std::string& text) {
  if (auto& h = self->state.setup.helper)
    self->send(*h, control_atom_v, text);
  auto m = mirror_command(self, text);
  auto r = m ? *m : self->state.faults->apply(text);
  if (!self->state.setup.echo)
    return;
  nlohmann::json j{{"time_ms", wall_ms()}, {"command", text}, {"ok", r.ok}};
  if (r.ok)
    j["hosts"] = r.num_hosts;
  else
    j["error"] = r.error;
  // One JSON line per fault on stdout: detection times are measured from these.
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
  if (!r.ok)
    log::warn("sim", "refused '{}': {}", text, r.error);
}

} // namespace

sim_actor::behavior_type sim_fn(self_ptr self, sim_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.faults.emplace(st.setup.names);
  for (size_t n = 0; n < st.setup.nets.size(); ++n)
    for (auto& name : st.setup.names) // either actor may answer a network: both keep caches
      st.cross[n].emplace_back(name);
  for (auto n : st.setup.serve)
    take(self, n);
  if (st.setup.control) {
    caf::weak_actor_ptr weak{self->ctrl()};
    st.setup.control->on_readable([weak] {
      if (auto strong = weak.lock())
        caf::anon_send(caf::actor_cast<sim_actor>(strong), readable_atom_v);
    });
    st.setup.control->rearm();
  }
  self->delayed_send(self, 10s, tick_atom_v);
  return {
    [=](readable_atom, uint8_t net) {
      if (self->state.serving[net])
        serve(self, net);
    },
    [=](watch_atom, uint8_t net) { take(self, net); },
    [=](unwatch_atom, uint8_t net) {
      self->state.serving[net] = false;
      return true;
    },
    [=](readable_atom) {
      auto& st = self->state;
      auto n = st.setup.control->receive(st.rx.data(), 8);
      for (size_t i = 0; i < n; ++i) {
        std::string text(reinterpret_cast<const char*>(st.rx[i].data.data()),
                         std::min<size_t>(st.rx[i].size, st.rx[i].data.size()));
        size_t from = 0;
        while (from < text.size()) {
          auto to = text.find('\n', from);
          auto line = text.substr(from, to == std::string::npos ? std::string::npos : to - from);
          if (!line.empty())
            command(self, line);
          from = to == std::string::npos ? text.size() : to + 1;
        }
      }
      st.setup.control->rearm();
    },
    [=](control_atom, const std::string& text) { command(self, text); },
    [=](push_atom, const std::vector<uint8_t>& bytes, uint32_t to, uint32_t source,
        uint16_t port) {
      outgoing o{to, source, port, static_cast<uint16_t>(bytes.size()), bytes.data()};
      auto& st = self->state; // any socket: the source address is set per datagram
      if (st.setup.sockets[0]->send(&o, 1) == 1)
        ++st.num_replies;
    },
    [=](tick_atom) {
      auto& st = self->state;
      log::info("sim", "{} hosts{}: {} requests, {} replies, {} silent, {} dropped, "
                "{} malformed, {} send errors, {} answered late", st.setup.names.size(),
                st.setup.echo ? "" : " (helper)", st.num_requests,
                st.num_replies, st.num_silent, st.num_dropped, st.num_malformed,
                st.num_send_errors, st.num_late_requests);
      self->delayed_send(self, 10s, tick_atom_v);
    },
  };
}

} // namespace hbs
