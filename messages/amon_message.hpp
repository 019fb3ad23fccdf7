#pragma once
// pmond's active monitor of hbs-client (StarlingX's amon library, mtce/src/public/amon.c;
// pmond's side in mtce/src/pmon/pmonMsg.cpp). Text over loopback UDP: pmond sends
// "<process> <magic hex> <sequence>" to the monitored process's port (hbsClient: 2202);
// the process answers "<process> <magic inverted, hex, width 8> <sequence>" to
// 127.0.0.1:2200, where pmond checks that the inverted magic is 0x12345678 and the sequence
// is the one it sent. Answered only when the process name is this process's own, as amon
// does. Pure functions, no CAF include.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "messages/bytes.hpp"

namespace hbs::wire {

constexpr uint32_t amon_magic = 0x12345678;
constexpr size_t amon_max_size = 100; // amon's receive buffer: longer requests are refused

enum class amon_error : uint8_t {
  none,
  oversized,    // longer than amon's 100-byte buffer
  no_name,      // empty, or starts with white space
  bad_magic,    // not 1 to 8 hex digits after the name (or not pmond's: the responder)
  bad_sequence, // not a decimal number after the magic (or junk after it)
  wrong_name,   // for another process (the responder's check)
};
constexpr size_t num_amon_errors = 6;
const char* to_string(amon_error e);

struct amon_request {
  std::string name;
  uint32_t magic = 0;
  uint32_t sequence = 0;
};

amon_error decode_amon_request(bytes_view in, amon_request& out);

// The answer to `in`: magic inverted, name and sequence echoed. Returns the bytes written
// (no terminating NUL, as amon sends), 0 if out is too small.
size_t encode_amon_response(const amon_request& in, mutable_bytes out);

} // namespace hbs::wire
