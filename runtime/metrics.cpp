#include "runtime/metrics.hpp"

#include <chrono>
#include <mutex>
#include <optional>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include "runtime/log.hpp"
#include "runtime/metrics_format.hpp"
#include "runtime/scheduling.hpp"

namespace hbs {

namespace {

using namespace std::chrono_literals;

class collector : public prometheus::Collectable {
public:
  collector(caf::actor_system& sys, controller_actor ctrl, const cfg::metrics_config& conf)
    : sys_(sys), ctrl_(std::move(ctrl)), per_host_(conf.per_host),
      refresh_(std::chrono::milliseconds{conf.refresh_ms}) {}

  // Gathering every host's status from the actors costs the heartbeat path (at 10,000 hosts
  // a gather per second starved the network actors: false events), so scrapes closer
  // together than refresh_ms get the figures of the last gather. What is kept between
  // scrapes is the snapshot, not its families: with per-host series those are 240,000
  // labelled metrics, and each scrape copied them anyway (Collect returns by value).
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard<std::mutex> guard{mutex_}; // one scrape at a time
    auto now = std::chrono::steady_clock::now();
    if (!snapshot_ || now - last_ >= refresh_) {
      metrics_snapshot s;
      caf::scoped_actor self{sys_};
      ask(self, s.status, status_atom_v);
      if (per_host_) // the counts by state come with the status; only per-host series ask
        ask(self, s.hosts, hosts_atom_v);
      ask(self, s.peer, peer_atom_v);
      ask(self, s.mnfa, mnfa_atom_v);
      ask(self, s.alarms, alarms_atom_v);
      ask(self, s.vault, vault_atom_v);
      snapshot_ = std::move(s);
      last_ = std::chrono::steady_clock::now();
      if (auto w = warned_ ? "" : per_host_warning(*snapshot_, per_host_); !w.empty()) {
        log::warn("metrics", "{}", w);
        warned_ = true; // once: the size changes slowly and the advice does not
      }
    }
    return metric_families(*snapshot_, per_host_);
  }

private:
  // A part that does not answer within a second is left out of this scrape.
  template <class T, class... Ts>
  void ask(caf::scoped_actor& self, std::optional<T>& out, Ts... xs) const {
    self->request(ctrl_, 1s, xs...).receive([&](T& x) { out = std::move(x); },
                                            [&](caf::error&) {});
  }

  caf::actor_system& sys_;
  controller_actor ctrl_;
  bool per_host_;
  std::chrono::milliseconds refresh_;
  mutable std::mutex mutex_;
  mutable std::optional<metrics_snapshot> snapshot_; // the last gather
  mutable std::chrono::steady_clock::time_point last_;
  mutable bool warned_ = false;
};

} // namespace

metrics_endpoint::~metrics_endpoint() = default;

std::unique_ptr<metrics_endpoint> metrics_endpoint::start(caf::actor_system& sys,
                                                          controller_actor ctrl,
                                                          const cfg::metrics_config& conf,
                                                          std::string& error) {
  std::unique_ptr<metrics_endpoint> m{new metrics_endpoint};
  // One HTTP thread: scrapes are served one after another. Its threads inherit the priority
  // of the thread that makes the exposer: started in the background, a scrape's formatting
  // (17 MB at 10,000 hosts with per-host series) never competes with the heartbeat's
  // real-time threads, and at the normal policy it yields to them.
  std::string listen_error, priority_error;
  start_at_low_priority([&] {
    try {
      m->exposer_ = std::make_unique<prometheus::Exposer>(
        conf.address + ":" + std::to_string(conf.port), 1);
    } catch (const std::exception& e) {
      listen_error = "cannot listen on " + conf.address + ":" + std::to_string(conf.port) +
                     ": " + e.what();
    }
  }, priority_error);
  if (!listen_error.empty()) {
    error = listen_error;
    return nullptr;
  }
  if (!priority_error.empty())
    log::warn("metrics", "{}: scrapes run at the heartbeat's priority", priority_error);
  auto c = std::make_shared<collector>(sys, std::move(ctrl), conf);
  m->exposer_->RegisterCollectable(c);
  m->collector_ = c;
  return m;
}

int metrics_endpoint::port() const {
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

} // namespace hbs
