#pragma once
// Builds expected wire bytes field by field from the reference's offset tables, independent
// of the codec under test, so a layout mistake in either shows up as a mismatch.

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace hbs::test {

struct golden {
  std::vector<uint8_t> b;
  explicit golden(size_t n) : b(n, 0) {}
  golden& text(size_t at, const std::string& s) {
    std::memcpy(b.data() + at, s.data(), s.size());
    return *this;
  }
  golden& u8(size_t at, uint8_t v) {
    b.at(at) = v;
    return *this;
  }
  golden& u16(size_t at, uint16_t v) {
    b.at(at) = v & 0xFF;
    b.at(at + 1) = v >> 8;
    return *this;
  }
  golden& u32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      b.at(at + i) = (v >> (8 * i)) & 0xFF;
    return *this;
  }
  // Vault header at `at` (reference §4.1 table).
  golden& cluster(size_t at, uint16_t reqid, uint16_t period, uint8_t s0, uint8_t n) {
    return u8(at, 1).u8(at + 1, 0).u16(at + 2, 0x5AA5).u16(at + 4, reqid).u16(at + 6, period)
      .u16(at + 8, static_cast<uint16_t>(12 + 88 * n)).u8(at + 10, s0).u8(at + 11, n);
  }
  // One 88-byte history element at `at`; entries e:r for i < count as (10+i):(9+i).
  golden& hist(size_t at, uint16_t word, uint16_t entries, uint16_t oldest) {
    u16(at, word).u16(at + 2, entries).u16(at + 4, 20).u16(at + 6, oldest);
    for (uint16_t i = 0; i < entries; ++i)
      u16(at + 8 + 4 * i, 10 + i).u16(at + 10 + 4 * i, 9 + i);
    return *this;
  }
};

} // namespace hbs::test
