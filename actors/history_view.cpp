#include "actors/history_view.hpp"

#include <fmt/format.h>

namespace hbs {

namespace {

constexpr size_t wrap_at = 100;

} // namespace

std::vector<std::string> history_view_lines(const wire::history& h, const std::string& from,
                                            const std::string& prefix) {
  std::vector<std::string> out;
  std::string line = fmt::format("controller-{} view from {} {} {}:", int{h.controller}, from,
                                 prefix, h.network == 0 ? "Mgmnt" : "Clstr");
  auto n = std::min<size_t>(h.entries, wire::history_entries);
  // Oldest first: a full ring's oldest entry is the next to write.
  size_t first = n == wire::history_entries ? h.oldest : 0;
  const wire::history_entry* prev = nullptr;
  for (size_t k = 0; k < n; ++k) {
    auto& e = h.ring[(first + k) % wire::history_entries];
    auto item = prev && *prev == e ? std::string{"."} : fmt::format("{}:{}", e.enabled,
                                                                      e.responding);
    prev = &e;
    if (line.size() + 1 + item.size() > wrap_at) {
      out.push_back(std::move(line));
      line = "............";
    }
    line += " " + item;
  }
  out.push_back(std::move(line));
  return out;
}

std::vector<std::string> history_memory(const wire::history& h) {
  wire::cluster_block b;
  b.num_histories = 1;
  b.histories[0] = h;
  std::array<uint8_t, wire::cluster_header_size + wire::history_size> raw{};
  encode_cluster(b, {raw.data(), raw.size()});
  std::vector<std::string> out;
  for (size_t row = 0; row < wire::history_size; row += 22) {
    std::string line = fmt::format("C{} {} {:02}:", int{h.controller},
                                   h.network == 0 ? "Mgmnt" : "Clstr", row);
    for (size_t i = row; i < std::min(row + 22, wire::history_size); ++i)
      line += fmt::format(" {:02x}", raw[wire::cluster_header_size + i]);
    out.push_back(std::move(line));
  }
  return out;
}

bool view_log_gate::should_log(uint8_t controller, uint8_t network,
                               const std::vector<std::string>& lines) {
  auto [it, fresh] = last_.try_emplace({controller, network});
  auto& l = it->second;
  bool differs = fresh || l.lines != lines;
  bool log = differs || l.changing; // once more after the differences stop
  l.changing = differs && !fresh;
  l.lines = lines;
  return log;
}

} // namespace hbs
