#include "messages/mtc_message.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include <nlohmann/json.hpp>

namespace hbs::wire {

namespace {

constexpr std::string_view command_signature = "cgts mtc hbs cmd:";
constexpr size_t name_offset = 18; // the host name in the header (legacy)
constexpr size_t name_area = 32;
constexpr size_t header_size = 64;

bool known(uint32_t c) {
  switch (static_cast<mtc_command>(c)) {
    case mtc_command::add_host: case mtc_command::del_host: case mtc_command::mod_host:
    case mtc_command::start_host: case mtc_command::stop_host: case mtc_command::active_ctrl:
    case mtc_command::restart_hbs: case mtc_command::backoff_hbs: case mtc_command::recover_hbs:
      return true;
  }
  return false;
}

bool names_host(mtc_command c) {
  return c != mtc_command::backoff_hbs && c != mtc_command::recover_hbs;
}

// StarlingX host names: letters, digits, '-', '.', '_'; 1..63 characters.
bool plain_name(std::string_view s) {
  if (s.empty() || s.size() > 63)
    return false;
  for (char ch : s)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '_'))
      return false;
  return true;
}

bool ipv4(const std::string& s) {
  in_addr a;
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

std::string_view c_string(const uint8_t* p, size_t max) {
  auto* c = reinterpret_cast<const char*>(p);
  return {c, strnlen(c, max)};
}

// The JSON object at buf[res]: only string members are read; anything else in it is
// tolerated (mtcAgent adds keys over releases), a value of another type for a key read is not.
mtc_error read_json(std::string_view text, mtc_command_message& out) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return mtc_error::bad_json;
  auto take = [&](const char* key, std::string& to) {
    auto it = j.find(key);
    if (it == j.end())
      return true;
    if (!it->is_string())
      return false;
    to = it->get<std::string>();
    return true;
  };
  if (!take("hostname", out.host) || !take("mgmt_ip", out.mgmt_ip)
      || !take("cluster_host_ip", out.cluster_host_ip))
    return mtc_error::bad_json;
  return mtc_error::none;
}

} // namespace

const char* to_string(mtc_error e) {
  switch (e) {
    case mtc_error::none: return "none";
    case mtc_error::short_message: return "short_message";
    case mtc_error::oversized: return "oversized";
    case mtc_error::bad_header: return "bad_header";
    case mtc_error::unknown_command: return "unknown_command";
    case mtc_error::bad_json: return "bad_json";
    case mtc_error::no_host_name: return "no_host_name";
    case mtc_error::bad_address: return "bad_address";
    case mtc_error::not_allowed: return "not_allowed";
  }
  return "?";
}

mtc_error decode_mtc_command(bytes_view in, mtc_command_message& out) {
  out = {};
  if (in.size < mtc_fixed_size)
    return mtc_error::short_message;
  if (in.size > mtc_message_size)
    return mtc_error::oversized;
  if (std::memcmp(in.data, command_signature.data(), command_signature.size()) != 0)
    return mtc_error::bad_header;
  auto cmd = load_u32(in.data + 72);
  if (!known(cmd))
    return mtc_error::unknown_command;
  out.command = static_cast<mtc_command>(cmd);
  auto ver = load_u16(in.data + 64);
  auto res = load_u32(in.data + 68);
  if (load_u32(in.data + 76) >= 1)
    out.node_type = load_u32(in.data + 80);
  size_t buf_len = in.size - mtc_fixed_size;
  if (ver >= 2 && res < buf_len && in.data[mtc_fixed_size + res] == '{') {
    auto text = c_string(in.data + mtc_fixed_size + res, buf_len - res);
    if (auto e = read_json(text, out); e != mtc_error::none)
      return e;
  }
  if (out.host.empty())
    out.host = std::string{c_string(in.data + name_offset, name_area)};
  if (!names_host(out.command))
    out.host.clear(); // whatever the header holds is not a name (found by fuzzing: bytes
                      // that are not UTF-8 reached the logs and the JSON encoder)
  else if (!plain_name(out.host))
    return mtc_error::no_host_name;
  if ((!out.mgmt_ip.empty() && !ipv4(out.mgmt_ip))
      || (!out.cluster_host_ip.empty() && !ipv4(out.cluster_host_ip)))
    return mtc_error::bad_address;
  return mtc_error::none;
}

namespace {

void put_text(uint8_t* at, std::string_view s, size_t room) {
  std::memcpy(at, s.data(), std::min(s.size(), room - 1)); // always NUL-terminated
}

size_t encode(std::string_view signature, uint32_t cmd, std::string_view host, uint32_t parm0,
              bool with_parm, const std::string& json, mutable_bytes out) {
  if (out.size < mtc_message_size)
    return 0;
  std::memset(out.data, 0, mtc_message_size);
  put_text(out.data, signature, name_offset);
  put_text(out.data + name_offset, host, header_size - name_offset);
  store_u16(out.data + 64, 2); // MTC_CMD_FEATURE_VER__KEYVALUE_IN_BUF
  store_u32(out.data + 72, cmd);
  store_u32(out.data + 76, with_parm ? 1 : 0);
  store_u32(out.data + 80, parm0);
  put_text(out.data + mtc_fixed_size, json, mtc_buffer_size);
  return mtc_message_size;
}

std::string_view event_signature(mtc_event e) {
  switch (e) {
    case mtc_event::loss: return "heart beat loss :";
    case mtc_event::ready: return "heart beat ready:";
    case mtc_event::minor_set: case mtc_event::minor_clear: case mtc_event::degrade_set:
    case mtc_event::degrade_clear:
      return "heart beat event:";
    default: return "mtce event msg  :";
  }
}

} // namespace

size_t encode_mtc_event(mtc_event e, std::string_view host, uint8_t network,
                        std::string_view service, mutable_bytes out) {
  nlohmann::json j{{"hostname", host}, {"service", service}};
  return encode(event_signature(e), static_cast<uint32_t>(e), host, network, true, j.dump(),
                out);
}

size_t encode_mtc_command(const mtc_command_message& m, mutable_bytes out) {
  nlohmann::json j{{"hostname", m.host}};
  if (!m.mgmt_ip.empty())
    j["mgmt_ip"] = m.mgmt_ip;
  if (!m.cluster_host_ip.empty())
    j["cluster_host_ip"] = m.cluster_host_ip;
  return encode(command_signature, static_cast<uint32_t>(m.command), m.host, m.node_type, true,
                j.dump(), out);
}

const char* to_string(mtc_command c) {
  switch (c) {
    case mtc_command::add_host: return "ADD_HOST";
    case mtc_command::del_host: return "DEL_HOST";
    case mtc_command::mod_host: return "MOD_HOST";
    case mtc_command::start_host: return "START_HOST";
    case mtc_command::stop_host: return "STOP_HOST";
    case mtc_command::active_ctrl: return "ACTIVE_CTRL";
    case mtc_command::restart_hbs: return "RESTART_HBS";
    case mtc_command::backoff_hbs: return "BACKOFF_HBS";
    case mtc_command::recover_hbs: return "RECOVER_HBS";
  }
  return "?";
}

const char* to_string(mtc_event e) {
  switch (e) {
    case mtc_event::ready: return "READY";
    case mtc_event::minor_set: return "MINOR_SET";
    case mtc_event::minor_clear: return "MINOR_CLR";
    case mtc_event::degrade_set: return "DEGRADE_SET";
    case mtc_event::degrade_clear: return "DEGRADE_CLR";
    case mtc_event::loss: return "LOSS";
    case mtc_event::pmond_clear: return "PMOND_CLEAR";
    case mtc_event::pmond_raise: return "PMOND_RAISE";
    case mtc_event::host_stalled: return "HOST_STALLED";
    case mtc_event::monitor_ready: return "MONITOR_READY";
  }
  return "?";
}

} // namespace hbs::wire
