// pmond's active-monitor request (messages/amon_message) as anything on the host's loopback
// can send it to hbs-client's amon port. The decoder promises errors by value; what it
// accepts is answered with a text that reads back as the same name and sequence.
#include <array>
#include <cstdint>
#include <string>

#include "fuzz/check.hpp"
#include "messages/amon_message.hpp"

using namespace hbs::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  amon_request r;
  amon_error e = amon_error::none;
  try {
    e = decode_amon_request({data, size}, r);
  } catch (...) {
    FUZZ_CHECK(!"decode_amon_request threw; it must return its error by value");
  }
  FUZZ_CHECK(static_cast<size_t>(e) < num_amon_errors && e != amon_error::wrong_name);
  FUZZ_CHECK((size > amon_max_size) == (e == amon_error::oversized));
  if (e != amon_error::none)
    return 0;
  std::array<uint8_t, amon_max_size + 20> out{};
  auto n = encode_amon_response(r, {out.data(), out.size()});
  FUZZ_CHECK(n > 0 && n <= r.name.size() + 20); // name, space, 8 columns, space, 10 digits
  if (n > amon_max_size)
    return 0; // a name too long for amon_name (79) is never answered: no round trip
  amon_request back;
  FUZZ_CHECK(decode_amon_request({out.data(), n}, back) == amon_error::none);
  FUZZ_CHECK(back.name == r.name && back.sequence == r.sequence && back.magic == ~r.magic);
  return 0;
}
