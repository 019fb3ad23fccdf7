#pragma once
// Little-endian field access over raw byte buffers. The StarlingX structs are packed and in
// x86 host order, so every multi-byte field is read and written byte by byte: no alignment
// assumptions, no host-order dependence.

#include <cstddef>
#include <cstdint>

namespace hbs::wire {

struct bytes_view {
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct mutable_bytes {
  uint8_t* data = nullptr;
  size_t size = 0;
};

inline uint16_t load_u16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

inline uint32_t load_u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8)
         | (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

inline void store_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

inline void store_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}

} // namespace hbs::wire
