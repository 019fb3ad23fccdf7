#pragma once
// Host index by IPv4 address, looked up once per response: an open-addressing table in one
// array. std::unordered_map's node chase was two thirds of note_response's own time at
// 10,000 hosts (a cache miss per response). Pure, no CAF.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace hbs {

class address_index {
public:
  std::optional<size_t> find(uint32_t addr) const;
  void set(uint32_t addr, size_t index); // adds or replaces
  void erase(uint32_t addr);
  size_t size() const { return size_; }

private:
  struct entry {
    uint32_t addr = 0;
    uint32_t index_plus_one = 0; // 0: empty
  };
  size_t home(uint32_t addr) const;
  size_t slot_of(uint32_t addr) const; // its slot, or the empty one where it would go
  void grow();

  std::vector<entry> table_ = std::vector<entry>(16);
  size_t size_ = 0;
};

} // namespace hbs
