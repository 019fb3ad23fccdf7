#include "runtime/log.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <mutex>

#include <systemd/sd-daemon.h>

namespace hbs::log {

namespace {

std::atomic<uint32_t> categories{0};

struct sink {
  std::mutex mtx;
  std::string program = "hbs";
  level min = level::info;
  bool timestamps = true;
  bool journal = false;
  std::string path;
  FILE* file = nullptr;
  long size = 0;
  std::function<void(std::string_view, std::string_view)> observer;
  structured_sink structured;
};

constexpr long max_file_bytes = 16L << 20;
constexpr int kept_files = 2;

void open_file(sink& s) {
  s.file = std::fopen(s.path.c_str(), "a");
  s.size = s.file ? std::ftell(s.file) : 0;
}

// Whole lines only: the file is renamed path.1 (path.1 -> path.2) and a new one opened.
void rotate(sink& s) {
  std::fclose(s.file);
  for (int i = kept_files; i > 0; --i) {
    auto from = i == 1 ? s.path : s.path + "." + std::to_string(i - 1);
    std::rename(from.c_str(), (s.path + "." + std::to_string(i)).c_str());
  }
  open_file(s);
}

const char* priority(level l) {
  switch (l) {
    case level::debug: return SD_DEBUG;
    case level::info: return SD_INFO;
    case level::warning: return SD_WARNING;
    case level::error: return SD_ERR;
    case level::off: break;
  }
  return SD_NOTICE;
}

sink& the_sink() {
  static sink s;
  return s;
}

const char* name(level l) {
  switch (l) {
    case level::debug: return "DEBUG";
    case level::info: return "INFO";
    case level::warning: return "WARN";
    case level::error: return "ERROR";
    case level::off: return "OFF";
  }
  return "?";
}

std::string stamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z ", buf, ms);
}

} // namespace

void init(std::string program, level min, bool timestamps, const std::string& file,
          bool journal) {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard{s.mtx};
  s.program = std::move(program);
  s.min = min;
  s.timestamps = timestamps;
  s.journal = journal;
  s.path = file;
  if (!file.empty())
    open_file(s);
}

void reopen() {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard{s.mtx};
  if (s.path.empty())
    return;
  if (s.file)
    std::fclose(s.file);
  open_file(s);
}

bool parse_level(std::string_view text, level& out) {
  for (auto l : {level::debug, level::info, level::warning, level::error}) {
    std::string_view n = name(l);
    if (text.size() == n.size()
        && std::equal(text.begin(), text.end(), n.begin(),
                      [](char a, char b) { return std::toupper(a) == b; })) {
      out = l;
      return true;
    }
  }
  if (text == "warning") {
    out = level::warning;
    return true;
  }
  return false;
}

bool parse_category(std::string_view text, category& out) {
  static const std::pair<const char*, category> names[] = {
    {"clog", category::clog}, {"clog1", category::clog1}, {"clog2", category::clog2},
    {"clog3", category::clog3}, {"mlog", category::mlog}};
  for (auto& [name, c] : names)
    if (text == name) {
      out = c;
      return true;
    }
  return false;
}

void enable(category c, bool on) {
  auto bit = 1u << static_cast<unsigned>(c);
  if (on)
    categories |= bit;
  else
    categories &= ~bit;
}

bool enabled(category c) {
  return categories.load(std::memory_order_relaxed) & (1u << static_cast<unsigned>(c));
}

void set_categories(const std::vector<std::string>& names) {
  categories = 0;
  for (auto& n : names) {
    category c;
    if (parse_category(n, c))
      enable(c, true);
  }
}

void set_level(level min) {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard{s.mtx};
  s.min = min;
}

bool enabled(level l) {
  return l >= the_sink().min;
}

void observe(std::function<void(std::string_view, std::string_view)> f) {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard{s.mtx};
  s.observer = std::move(f);
}

void set_structured(structured_sink sink) {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard{s.mtx};
  s.structured = std::move(sink);
}

void write(level l, std::string_view category, std::string_view text) {
  write(l, category, text, {});
}

void write(level l, std::string_view category, std::string_view text,
           const std::vector<field>& fields) {
  auto& s = the_sink();
  std::lock_guard<std::mutex> guard{s.mtx};
  if (s.observer) {
    s.observer(category, text);
    return;
  }
  bool structured = s.journal && s.structured;
  if (structured && !s.file) // the journal takes the fields: no text line to format
    return s.structured(l, category, text, fields);
  auto line = fmt::format("{}{} {} {}: {}\n", s.timestamps ? stamp() : std::string{},
                          s.program, name(l), category, text);
  if (structured) {
    s.structured(l, category, text, fields);
  } else {
    if (s.journal)
      std::fputs(priority(l), stderr);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  if (s.file) {
    if (s.size > 0 && s.size + static_cast<long>(line.size()) > max_file_bytes)
      rotate(s);
    if (s.file) {
      std::fwrite(line.data(), 1, line.size(), s.file);
      std::fflush(s.file);
      s.size += static_cast<long>(line.size());
    }
  }
}

} // namespace hbs::log
