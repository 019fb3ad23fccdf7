#pragma once
// Process log: one line per message with level and category; timestamps unless running
// under systemd (the journal adds its own). Thread-safe; cheap when the level is off.

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace hbs::log {

enum class level : uint8_t { debug, info, warning, error, off };

void init(std::string program, level min, bool timestamps, const std::string& file = {});
bool parse_level(std::string_view text, level& out);
void set_level(level min);
bool enabled(level l);
void write(level l, std::string_view category, std::string_view text);

template <class... Ts>
void debug(std::string_view cat, fmt::format_string<Ts...> f, Ts&&... xs) {
  if (enabled(level::debug))
    write(level::debug, cat, fmt::format(f, std::forward<Ts>(xs)...));
}
template <class... Ts>
void info(std::string_view cat, fmt::format_string<Ts...> f, Ts&&... xs) {
  if (enabled(level::info))
    write(level::info, cat, fmt::format(f, std::forward<Ts>(xs)...));
}
template <class... Ts>
void warn(std::string_view cat, fmt::format_string<Ts...> f, Ts&&... xs) {
  if (enabled(level::warning))
    write(level::warning, cat, fmt::format(f, std::forward<Ts>(xs)...));
}
template <class... Ts>
void error(std::string_view cat, fmt::format_string<Ts...> f, Ts&&... xs) {
  if (enabled(level::error))
    write(level::error, cat, fmt::format(f, std::forward<Ts>(xs)...));
}

// StarlingX throttled-log semantics: the first occurrence, then once every `every`.
struct throttle {
  uint64_t count = 0;
  bool operator()(uint64_t every) { return count++ % every == 0; }
};

} // namespace hbs::log
