#pragma once
// Pulse request and response in the StarlingX v1 layout (reference §3): a packed 63-byte
// header (15-byte text, 32-byte host name area, sequence, index clue, flags, version) then
// only `bytes` worth of the cluster block. Pure functions over byte buffers.

#include <array>
#include <cstdint>
#include <string_view>

#include "messages/cluster.hpp"

namespace hbs::wire {

constexpr size_t pulse_header_size = 63;
constexpr size_t header_text_size = 15;
constexpr size_t host_name_area = 32;
constexpr size_t max_pulse_size = pulse_header_size + max_cluster_size; // 427
constexpr uint32_t pulse_version = 1;

// Flag bits (reference §3.3).
constexpr uint32_t pmond_flag = 0x1;
constexpr uint32_t cluster_host_flag = 0x2;
constexpr uint32_t controller_mask = 0x300;
constexpr uint32_t controller_shift = 8;
// A stock client's stall monitor (reference §3.3, §9.3): running, recovery taken, errors.
constexpr uint32_t stall_mon_flag = 0x00010000;
constexpr uint32_t stall_rec_flag = 0x00020000;
constexpr uint32_t stall_bits = 0xFFFF0000;

enum class pulse_kind : uint8_t { request, response };

struct pulse {
  std::array<char, host_name_area> name{}; // host name clue (request) or responder name
  uint32_t sequence = 0;
  uint32_t clue = 0; // round-robin index clue ("RRI")
  uint32_t flags = 0;
  uint32_t version = pulse_version;
  cluster_block cluster; // present when version >= 1

  uint32_t controller() const { return (flags & controller_mask) >> controller_shift; }
  std::string_view name_view() const;
  // Names of 32 characters or more do not fit: the area stays zeroed (reference §3.1).
  void set_name(std::string_view n);
};

// Returns the number of bytes written (63 + cluster bytes), 0 if out is too small.
size_t encode_pulse(pulse_kind kind, const pulse& in, mutable_bytes out);
// The first 63 bytes only (in.cluster unread): 63, or 0 if out is too small. The cluster
// bytes that follow (when in.version >= 1) are the caller's.
size_t encode_pulse_header(pulse_kind kind, const pulse& in, mutable_bytes out);

// Decode of untrusted bytes, strict except where the stock daemons are liberal (reference §3):
// up to 427 bytes, and whatever follows 63 + cluster `bytes` (a stock agent's padding, or
// anything after a version-0 header) is ignored. out is only meaningful on decode_error::none.
// rings::skipped leaves out.cluster's history entries unread (same verdict).
decode_error decode_pulse(pulse_kind kind, bytes_view in, pulse& out,
                          rings r = rings::decoded);

} // namespace hbs::wire
