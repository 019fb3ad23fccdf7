#pragma once
// The cluster history ("vault") in the StarlingX mtceHbsCluster.h layout (reference §4.1):
// a 12-byte header and up to four 88-byte history elements, packed, little-endian. The same
// block rides in pulse requests and responses and is what SM receives.

#include <array>
#include <cstdint>

#include "messages/bytes.hpp"
#include "messages/decode_error.hpp"

namespace hbs::wire {

constexpr size_t cluster_header_size = 12;
constexpr size_t history_size = 88;
constexpr size_t history_entries = 20;
constexpr size_t max_histories = 4;
constexpr size_t max_cluster_size = cluster_header_size + max_histories * history_size;
constexpr uint16_t cluster_magic = 0x5AA5;
constexpr uint8_t cluster_version = 1;

struct history_entry {
  uint16_t enabled = 0;
  uint16_t responding = 0;
  bool operator==(const history_entry& o) const {
    return enabled == o.enabled && responding == o.responding;
  }
};

struct history {
  uint8_t controller = 0;           // bits 0-3 of the bitfield word
  uint8_t network = 0;              // bits 4-7: 0 management, 1 cluster-host
  bool sm_heartbeat_fail = false;   // bit 14
  bool storage0_responding = false; // bit 15
  uint16_t entries = 0;             // valid entries, 0..20
  uint16_t entries_max = history_entries;
  uint16_t oldest = 0;              // next slot to write
  std::array<history_entry, history_entries> ring{};

  // The entry SM reads: (oldest + entries - 1) mod 20.
  history_entry newest() const;
  void append(history_entry e);
};

struct cluster_block {
  uint8_t version = cluster_version;
  uint8_t revision = 0;
  uint16_t magic = cluster_magic;
  uint16_t reqid = 0;
  uint16_t period_msec = 0;
  uint8_t storage0_enabled = 0;
  uint8_t num_histories = 0;
  std::array<history, max_histories> histories{};

  size_t bytes() const { return cluster_header_size + history_size * num_histories; }
};

// Writes bytes() bytes; returns 0 if out is too small.
size_t encode_cluster(const cluster_block& in, mutable_bytes out);

// What may follow the `bytes` the block declares. A vault block (SM, hbsctl) is exact; a
// stock hbsAgent pads its pulse requests to the size of its whole store (reference §3), so
// in a pulse the tail after `bytes` is ignored, as the stock client ignores it.
enum class trailing : uint8_t { refused, ignored };

// Whether the 20 entries of each history are copied out. Skipped, every check is still made
// (no entry is checked): the agent reads the rings of one response in many (issue 16 §2).
enum class rings : uint8_t { decoded, skipped };

// Strict on magic, version, history count, `bytes` and ids; in.size must be exactly `bytes`
// unless the trailing bytes are ignored (then at least `bytes`).
decode_error decode_cluster(bytes_view in, cluster_block& out,
                            trailing tail = trailing::refused, rings r = rings::decoded);

} // namespace hbs::wire
