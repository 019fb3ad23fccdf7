#include "messages/sm_request.hpp"

#include <nlohmann/json.hpp>

namespace hbs {

const char* to_string(sm_error e) {
  switch (e) {
    case sm_error::none: return "none";
    case sm_error::oversized: return "oversized";
    case sm_error::not_json: return "not_json";
    case sm_error::not_object: return "not_object";
    case sm_error::wrong_keys: return "wrong_keys";
    case sm_error::bad_reqid: return "bad_reqid";
    case sm_error::rate_limited: return "rate_limited";
  }
  return "unknown";
}

namespace {

bool text_is(const nlohmann::json& j, const char* key, const char* value) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() && it->get_ref<const std::string&>() == value;
}

bool parse_reqid(const nlohmann::json& v, uint16_t& out) {
  if (v.is_number_unsigned() || v.is_number_integer()) {
    auto n = v.get<int64_t>();
    if (n < 0 || n > 65535)
      return false;
    out = static_cast<uint16_t>(n);
    return true;
  }
  if (!v.is_string())
    return false;
  auto& s = v.get_ref<const std::string&>();
  if (s.empty() || s.size() > 5)
    return false;
  uint32_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  if (n > 65535)
    return false;
  out = static_cast<uint16_t>(n);
  return true;
}

} // namespace

sm_request parse_sm_request(std::string_view datagram) {
  sm_request r;
  if (datagram.size() > max_sm_request) {
    r.error = sm_error::oversized;
    return r;
  }
  auto j = nlohmann::json::parse(datagram.begin(), datagram.end(), nullptr, false);
  if (j.is_discarded())
    r.error = sm_error::not_json;
  else if (!j.is_object())
    r.error = sm_error::not_object;
  else if (j.size() != 4 || !text_is(j, "origin", "sm") || !text_is(j, "service", "heartbeat")
           || !text_is(j, "request", "cluster_info") || !j.contains("reqid"))
    r.error = sm_error::wrong_keys;
  else if (!parse_reqid(j["reqid"], r.reqid))
    r.error = sm_error::bad_reqid;
  return r;
}

} // namespace hbs
