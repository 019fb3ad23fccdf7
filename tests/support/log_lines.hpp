#pragma once
// Every line the process logs while it lives, at info and above (with the categories a test
// enables), instead of stderr: for tests of what an operator reads.

#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/log.hpp"

namespace hbs::test {

struct log_lines {
  std::mutex mtx;
  std::vector<std::string> lines;
  log_lines() {
    log::set_level(log::level::info);
    log::observe([this](std::string_view cat, std::string_view text) {
      std::lock_guard<std::mutex> g{mtx};
      lines.push_back(std::string{cat} + ": " + std::string{text});
    });
  }
  ~log_lines() {
    log::observe(nullptr);
    log::set_categories({});
    log::set_level(std::getenv("HBS_TEST_LOG") ? log::level::debug : log::level::off);
  }
  // Lines holding `part` (and not `without`, when given).
  size_t count(const std::string& part, const std::string& without = {}) {
    std::lock_guard<std::mutex> g{mtx};
    size_t n = 0;
    for (auto& l : lines)
      n += l.find(part) != std::string::npos
           && (without.empty() || l.find(without) == std::string::npos);
    return n;
  }
  void clear() {
    std::lock_guard<std::mutex> g{mtx};
    lines.clear();
  }
};

} // namespace hbs::test
