#pragma once
// Process log: one line per message with level and category; timestamps unless running
// under systemd (the journal adds its own, and each line carries its syslog priority so
// `journalctl -p warning` works). The optional file rotates at 16 MiB, two old files kept,
// and is reopened on reopen() (SIGHUP). Thread-safe; cheap when the level is off.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace hbs::log {

enum class level : uint8_t { debug, info, warning, error, off };

// journal: stderr goes to journald; prefix each line with its priority (sd-daemon.h).
void init(std::string program, level min, bool timestamps, const std::string& file = {},
          bool journal = false);
// Closes and reopens the log file (after an outside logrotate moved it).
void reopen();
bool parse_level(std::string_view text, level& out);
void set_level(level min);
bool enabled(level l);
void write(level l, std::string_view category, std::string_view text);
// A journal field (NAME, value): NAME upper case, as journald wants it.
using field = std::pair<std::string_view, std::string>;
// The same line with fields a structured log keeps apart (the journal: HBS_HOST=...).
void write(level l, std::string_view category, std::string_view text,
           const std::vector<field>& fields);
// Where lines go when stderr is the journal and the program speaks its native protocol
// (hbs-agent: runtime/journal): priority, category, text and fields as journal fields.
// Unset (hbs-client, not under systemd): lines with priority prefixes on stderr.
using structured_sink = std::function<void(level, std::string_view category,
                                           std::string_view text, const std::vector<field>&)>;
void set_structured(structured_sink sink);
// Tests: hands every line (category, text) to f instead of writing it; null: write again.
void observe(std::function<void(std::string_view, std::string_view)> f);

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

// Optional categories, off by default, after StarlingX's debug_state / debug_msg bits:
// clog  per-period vault status          clog1 history saves, client caches, and each
//                                        history's view when it changes
// clog2 the cluster block of responses   clog3 period starts and each history's memory
// mlog  one line per pulse request and response (heavy: for debugging a few hosts)
enum class category : uint8_t { clog, clog1, clog2, clog3, mlog };
bool parse_category(std::string_view text, category& out);
void enable(category c, bool on);
bool enabled(category c);
// Enables exactly these (names already validated by config); unknown names are ignored.
void set_categories(const std::vector<std::string>& names);

template <class... Ts>
void trace(category c, std::string_view cat, fmt::format_string<Ts...> f, Ts&&... xs) {
  if (enabled(c))
    write(level::info, cat, fmt::format(f, std::forward<Ts>(xs)...));
}


} // namespace hbs::log
