#include "actors/address_index.hpp"

namespace hbs {

size_t address_index::slot_of(uint32_t addr) const {
  auto mask = table_.size() - 1;
  auto i = home(addr);
  while (table_[i].index_plus_one != 0 && table_[i].addr != addr)
    i = (i + 1) & mask;
  return i;
}

std::optional<size_t> address_index::find(uint32_t addr) const {
  auto& e = table_[slot_of(addr)];
  if (e.index_plus_one == 0)
    return std::nullopt;
  return e.index_plus_one - 1;
}

void address_index::set(uint32_t addr, size_t index) {
  if (2 * (size_ + 1) > table_.size())
    grow(); // at most half full: probes stay short
  auto& e = table_[slot_of(addr)];
  size_ += e.index_plus_one == 0;
  e = {addr, static_cast<uint32_t>(index + 1)};
}

// Linear probing's deletion without markers (Knuth's algorithm R): later entries of the
// run that would no longer be found move back into the hole.
void address_index::erase(uint32_t addr) {
  auto mask = table_.size() - 1;
  auto hole = slot_of(addr);
  if (table_[hole].index_plus_one == 0)
    return;
  for (auto j = (hole + 1) & mask; table_[j].index_plus_one != 0; j = (j + 1) & mask) {
    auto k = home(table_[j].addr);
    bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
    if (stays)
      continue;
    table_[hole] = table_[j];
    hole = j;
  }
  table_[hole] = {};
  --size_;
}

void address_index::grow() {
  std::vector<entry> old(table_.size() * 2);
  old.swap(table_);
  size_ = 0;
  for (auto& e : old)
    if (e.index_plus_one != 0)
      set(e.addr, e.index_plus_one - 1);
}

} // namespace hbs
