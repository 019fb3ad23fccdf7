#pragma once
// Field-by-field equality of decoded wire values. The codec has no operator== of its own;
// only the histories a block counts take part (the rest of the array is not on the wire).

#include "messages/pulse.hpp"

namespace hbs::fuzz {

inline bool same(const wire::history& a, const wire::history& b) {
  return a.controller == b.controller && a.network == b.network
         && a.sm_heartbeat_fail == b.sm_heartbeat_fail
         && a.storage0_responding == b.storage0_responding && a.entries == b.entries
         && a.entries_max == b.entries_max && a.oldest == b.oldest && a.ring == b.ring;
}

inline bool same(const wire::cluster_block& a, const wire::cluster_block& b) {
  if (a.version != b.version || a.revision != b.revision || a.magic != b.magic
      || a.reqid != b.reqid || a.period_msec != b.period_msec
      || a.storage0_enabled != b.storage0_enabled || a.num_histories != b.num_histories)
    return false;
  for (size_t i = 0; i < a.num_histories && i < wire::max_histories; ++i)
    if (!same(a.histories[i], b.histories[i]))
      return false;
  return true;
}

inline bool same(const wire::pulse& a, const wire::pulse& b) {
  return a.name == b.name && a.sequence == b.sequence && a.clue == b.clue
         && a.flags == b.flags && a.version == b.version && same(a.cluster, b.cluster);
}

// Bits 8-13 of a history's bitfield word are reserved in StarlingX; hbs drops them, so a
// re-encoded block equals the input with those bits cleared. `block` is its header.
inline void clear_reserved_bits(uint8_t* block, size_t num_histories) {
  for (size_t i = 0; i < num_histories; ++i)
    block[wire::cluster_header_size + i * wire::history_size + 1] &= 0xC0;
}

} // namespace hbs::fuzz
