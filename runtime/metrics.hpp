#pragma once
// hbs-agent's Prometheus endpoint: prometheus-cpp's pull exposer (its own HTTP thread) and a
// collector that, per scrape, asks the controller for the snapshots hbsctl reads, each with
// a one-second deadline, at most once per refresh_ms (closer scrapes get the last figures:
// each gather is a message per host to the actors that also run the heartbeat).

#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "config/config.hpp"

namespace prometheus {
class Exposer;
}

namespace hbs {

class metrics_endpoint {
public:
  ~metrics_endpoint();
  // Listens on conf.address:conf.port; null with error set when it cannot.
  static std::unique_ptr<metrics_endpoint> start(caf::actor_system& sys, controller_actor ctrl,
                                                 const cfg::metrics_config& conf,
                                                 std::string& error);
  int port() const; // the port it listens on (conf.port, or the kernel's pick for 0)

private:
  metrics_endpoint() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<void> collector_;
};

} // namespace hbs
