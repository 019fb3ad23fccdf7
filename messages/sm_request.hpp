#pragma once
// The service manager's request (reference §4.7), parsed strictly from untrusted bytes:
// {"origin":"sm","service":"heartbeat","request":"cluster_info","reqid":N}, reqid a number
// or a numeric string, 0..65535. reqid 0 is SM's alive pulse.

#include <cstdint>
#include <string_view>

namespace hbs {

constexpr size_t max_sm_request = 128;

enum class sm_error : uint8_t {
  none = 0,
  oversized,
  not_json,
  not_object,
  wrong_keys,  // a key missing, an unknown key, or a value other than the expected text
  bad_reqid,   // not an integer 0..65535 (or its decimal string)
  rate_limited, // over the door's request rate (never from the parser)
};
constexpr size_t num_sm_errors = 7;
const char* to_string(sm_error e);

struct sm_request {
  sm_error error = sm_error::none;
  uint16_t reqid = 0;
};

sm_request parse_sm_request(std::string_view datagram);

} // namespace hbs
