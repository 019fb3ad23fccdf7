#include "messages/type_ids.hpp"

#include <caf/actor_system_config.hpp>

#include "actors/interfaces.hpp"

namespace hbs {

const char* to_string(ec e) {
  switch (e) {
    case ec::unknown_host: return "unknown host";
    case ec::duplicate_host: return "duplicate host";
    case ec::bad_argument: return "bad argument";
    case ec::not_connected: return "peer not connected";
    case ec::not_persisted: return "applied but not persisted";
    case ec::not_allowed: return "not allowed";
  }
  return "unknown error";
}

void add_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::hbs_messages>();
  cfg.add_message_types<caf::id_block::hbs_actors>();
  cfg.add_error_category(caf::atom("hbs"), [](uint8_t code, caf::atom_value,
                                              const caf::message& ctx) {
    std::string out = to_string(static_cast<ec>(code));
    if (!ctx.empty() && ctx.match_element<std::string>(0))
      out += ": " + ctx.get_as<std::string>(0);
    return out;
  });
}

} // namespace hbs
