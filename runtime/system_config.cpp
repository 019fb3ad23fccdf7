#include "runtime/system_config.hpp"

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include "messages/type_ids.hpp"

namespace hbs {

void configure(caf::actor_system_config& cfg, bool with_middleman,
               std::chrono::milliseconds keepalive, const tls_files& tls, std::size_t workers) {
  add_types(cfg);
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", workers);
  if (with_middleman) {
    cfg.load<caf::io::middleman>();
    cfg.set("middleman.workers", size_t{0});
    cfg.set("middleman.heartbeat-interval", caf::timespan{keepalive});
    cfg.set("middleman.connection-timeout", caf::timespan{keepalive * 5});
    if (!tls.certificate.empty()) { // after the middleman: CAF refuses the other order
      cfg.load<caf::openssl::manager>();
      cfg.openssl_certificate = tls.certificate;
      cfg.openssl_key = tls.certificate; // one PEM with both: replaced in one rename
      cfg.openssl_cafile = tls.ca;
    }
  }
}

} // namespace hbs
