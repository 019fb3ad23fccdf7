#pragma once
// The message type-ID block: every value type that travels in a CAF message. Actor handle
// types get their IDs in actors/interfaces.hpp, after the aliases exist.

#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/type_id.hpp>

#include "messages/atoms.hpp"
#include "messages/cluster.hpp"
#include "messages/control.hpp"
#include "messages/events.hpp"
#include "messages/status.hpp"

namespace hbs {

// Errors hbs actors return to requesters (hbsctl prints them).
enum class ec : uint8_t {
  unknown_host = 1,
  duplicate_host,
  bad_argument,
  not_connected,
  not_persisted, // applied, but the state directory refused the write
  not_allowed,   // a command without the control credential, or one refused while stopping
};

const char* to_string(ec e);

} // namespace hbs

CAF_ERROR_CODE_ENUM(hbs::ec, "hbs")

CAF_BEGIN_TYPE_ID_BLOCK(hbs_messages, caf::id_block::hbs_atoms::end)
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::pulse_result))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::event))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<hbs::event>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::net_status))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<hbs::net_status>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::host_status))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<hbs::host_status>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::net_host_row))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<hbs::net_host_row>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::network_counters))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<hbs::network_counters>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::agent_status))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<uint64_t>))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<std::string>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::history_view))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<hbs::history_view>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::vault_view))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::peer_status))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::control_snapshot))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::tuning))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::mnfa_report))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::file_health))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::sm_counters))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::mtc_counters))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::agent_role))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::credential))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::cfg::failure_action))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::cfg::host_type))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<uint8_t>))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<uint16_t>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::alarm_view))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<hbs::alarm_view>))
  CAF_ADD_TYPE_ID(hbs_messages, (hbs::mnfa_view))
  CAF_ADD_TYPE_ID(hbs_messages, (std::vector<uint32_t>))
CAF_END_TYPE_ID_BLOCK(hbs_messages)

// Local-only values (never serialized): the vault block and a network's period summary.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hbs::wire::cluster_block)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hbs::period_summary)

namespace caf {
class actor_system_config;
}

namespace hbs {
// Registers every hbs message type; every binary and test calls it.
void add_types(caf::actor_system_config& cfg);
} // namespace hbs
