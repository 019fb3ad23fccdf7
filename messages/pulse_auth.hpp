#pragma once
// Optional authenticated pulses (off by default: the StarlingX wire has none). A signed pulse
// is the StarlingX datagram followed by a 44-byte trailer: "HBA1", the sender's wall clock
// (ms, little-endian) and HMAC-SHA256 (libsodium) with the cluster's pulse key over
// everything before the MAC. Stock receivers ignore what follows the pulse (reference §3),
// so signed pulses still interoperate in "accept" mode.
//   off      send unsigned, ignore trailers;
//   accept   send signed; a bad or replayed signature is dropped, an unsigned pulse taken
//            (and counted): a cluster part-way through a rolling upgrade;
//   require  send signed; drop (and count) every pulse not signed right.
// Replay window: a signature older (or newer) than max_skew_ms by the receiver's clock is a
// replay. Within it, a response counts only for the current period's sequence (attendance),
// and a client takes a signed request only if it is newer than the last one it took from
// that sender (replay_guard). Hosts keep clocks in step (NTP).

#include <array>
#include <cstdint>
#include <string>

#include "messages/bytes.hpp"

namespace hbs::wire {

enum class auth_mode : uint8_t { off, accept, require };
const char* to_string(auth_mode m);
bool parse_auth_mode(const std::string& s, auth_mode& out);

constexpr size_t auth_trailer_size = 4 + 8 + 32;
constexpr int64_t default_max_skew_ms = 10000;

enum class auth_result : uint8_t {
  none,           // no trailer: an unsigned pulse
  valid,          // signed with the key, within the window
  bad_mac,        // a trailer whose MAC is not the key's
  replayed,       // signed with the key but outside the window
};
const char* to_string(auth_result r);

class pulse_key {
public:
  // From its file's text: hex digits, at least 64 (32 bytes); "" or the problem.
  std::string load_hex(const std::string& text);
  bool empty() const { return len_ == 0; }

  // Appends the trailer to the `size` bytes at data (room for it needed): the new size, or 0.
  size_t sign(uint8_t* data, size_t size, size_t capacity, int64_t now_ms) const;
  // Looks for a trailer at the end of the datagram: `pulse_size` is what precedes it,
  // `signed_at` (when given) the trailer's time stamp.
  auth_result check(const uint8_t* data, size_t size, int64_t now_ms, int64_t max_skew_ms,
                    size_t& pulse_size, int64_t* signed_at = nullptr) const;

private:
  void mac(const uint8_t* data, size_t size, uint8_t* out) const;
  std::array<uint8_t, 64> key_{};
  size_t len_ = 0;

public:
  // libsodium's HMAC state after the key (its size checked in pulse_auth.cpp), kept opaque
  // so that this header needs no crypto include.
  struct alignas(16) keyed_state {
    uint8_t bytes[256];
  };

private:
  keyed_state keyed_{};
};

// What a receiver does with one datagram under its mode: whether to decode it (the first
// pulse_size bytes) and what its signature was, for the counters.
struct pulse_gate {
  auth_mode mode = auth_mode::off;
  pulse_key key;
  int64_t max_skew_ms = default_max_skew_ms;

  bool admit(const uint8_t* data, size_t size, int64_t now_ms, size_t& pulse_size,
             auth_result& result, int64_t* signed_at = nullptr) const;
  // Signs in place when the mode says so; the size to send (0: no room).
  size_t seal(uint8_t* data, size_t size, size_t capacity, int64_t now_ms) const {
    return mode == auth_mode::off ? size : key.sign(data, size, capacity, now_ms);
  }
};

// Per sender, the newest signed pulse taken. A signed pulse older than it in both sequence
// and time stamp is a replay from within the skew window. Either being newer suffices: a
// restarted agent counts from 0 again, a clock stepped back keeps counting up. A sender not
// taken from for max_skew_ms starts afresh (all it sent before is outside the window).
// Bounded: the 8 senders taken from most recently (only controllers send requests).
class replay_guard {
public:
  bool fresh(uint32_t sender, uint32_t sequence, int64_t signed_at, int64_t now_ms,
             int64_t max_skew_ms);

private:
  struct entry {
    uint32_t sender = 0;
    uint32_t sequence = 0;
    int64_t signed_at = 0;
    int64_t taken_ms = 0;
  };
  std::array<entry, 8> entries_{};
  size_t used_ = 0;
};

// Wall clock in ms: a signature's time must mean the same on every host (NTP).
int64_t wall_ms();

} // namespace hbs::wire
