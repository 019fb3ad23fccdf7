#pragma once
// Every reason an untrusted datagram is rejected. Receivers count drops per reason, so each
// value is a counter index too.

#include <cstddef>
#include <cstdint>

namespace hbs::wire {

enum class decode_error : uint8_t {
  none = 0,
  short_datagram,      // shorter than the fixed part it claims to have
  oversized,           // longer than the largest valid message
  bad_header,          // header text is not "cgts pulse req:" / "cgts pulse rsp:"
  bad_version,         // pulse version > 1 or cluster version != 1
  bad_magic,           // cluster magic != 0x5AA5
  too_many_histories,  // more than 4 history elements
  bytes_mismatch,      // cluster `bytes` != 12 + 88 * histories
  length_mismatch,     // a vault block longer than its `bytes` (pulses may be padded)
  bad_controller,      // controller number >= 2 (flags or history)
  bad_network,         // network number >= 2 in a history
  bad_history,         // entries or index outside the 20-entry ring
};

constexpr size_t num_decode_errors = 12;

const char* to_string(decode_error e);

} // namespace hbs::wire
