#include "runtime/metrics.hpp"

#include <chrono>
#include <mutex>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include "runtime/metrics_format.hpp"

namespace hbs {

namespace {

using namespace std::chrono_literals;

class collector : public prometheus::Collectable {
public:
  collector(caf::actor_system& sys, controller_actor ctrl, bool per_host)
    : sys_(sys), ctrl_(std::move(ctrl)), per_host_(per_host) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard<std::mutex> guard{mutex_}; // one scrape at a time
    metrics_snapshot s;
    caf::scoped_actor self{sys_};
    ask(self, status_atom_v, s.status);
    ask(self, hosts_atom_v, s.hosts);
    ask(self, peer_atom_v, s.peer);
    ask(self, mnfa_atom_v, s.mnfa);
    ask(self, alarms_atom_v, s.alarms);
    ask(self, vault_atom_v, s.vault);
    return metric_families(s, per_host_);
  }

private:
  // A part that does not answer within a second is left out of this scrape.
  template <class Atom, class T>
  void ask(caf::scoped_actor& self, Atom atom, std::optional<T>& out) const {
    self->request(ctrl_, 1s, atom).receive([&](T& x) { out = std::move(x); },
                                           [&](caf::error&) {});
  }

  caf::actor_system& sys_;
  controller_actor ctrl_;
  bool per_host_;
  mutable std::mutex mutex_;
};

} // namespace

metrics_endpoint::~metrics_endpoint() = default;

std::unique_ptr<metrics_endpoint> metrics_endpoint::start(caf::actor_system& sys,
                                                          controller_actor ctrl,
                                                          const cfg::metrics_config& conf,
                                                          std::string& error) {
  std::unique_ptr<metrics_endpoint> m{new metrics_endpoint};
  try {
    // One HTTP thread: scrapes are served one after another.
    m->exposer_ = std::make_unique<prometheus::Exposer>(
      conf.address + ":" + std::to_string(conf.port), 1);
  } catch (const std::exception& e) {
    error = "cannot listen on " + conf.address + ":" + std::to_string(conf.port) + ": " +
            e.what();
    return nullptr;
  }
  auto c = std::make_shared<collector>(sys, std::move(ctrl), conf.per_host);
  m->exposer_->RegisterCollectable(c);
  m->collector_ = c;
  return m;
}

int metrics_endpoint::port() const {
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

} // namespace hbs
