// The service manager's JSON request, as any local process can send it to the SM port.
// The parser promises errors by value: no exception may escape, whatever the bytes. What it
// accepts, SM's canonical request with the same reqid (number or string) also yields.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz/check.hpp"
#include "messages/sm_request.hpp"

namespace {

hbs::sm_request parse(std::string_view text) {
  try {
    return hbs::parse_sm_request(text);
  } catch (...) {
    FUZZ_CHECK(!"parse_sm_request threw; it must return its error by value");
  }
  return {};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto r = parse(text);
  FUZZ_CHECK(static_cast<size_t>(r.error) < hbs::num_sm_errors);
  FUZZ_CHECK((size > hbs::max_sm_request) == (r.error == hbs::sm_error::oversized));
  if (r.error != hbs::sm_error::none)
    return 0;
  nlohmann::json canonical = {{"origin", "sm"}, {"service", "heartbeat"},
                              {"request", "cluster_info"}, {"reqid", r.reqid}};
  auto as_number = parse(canonical.dump());
  FUZZ_CHECK(as_number.error == hbs::sm_error::none && as_number.reqid == r.reqid);
  canonical["reqid"] = std::to_string(r.reqid);
  auto as_string = parse(canonical.dump());
  FUZZ_CHECK(as_string.error == hbs::sm_error::none && as_string.reqid == r.reqid);
  return 0;
}
