#include "runtime/journal.hpp"

#include <sys/uio.h>

#include <string_view>
#include <vector>

#define SD_JOURNAL_SUPPRESS_LOCATION // the location would always be this file
#include <systemd/sd-journal.h>

namespace hbs::journal {

namespace {

int syslog_priority(log::level l) {
  switch (l) {
    case log::level::debug: return 7;
    case log::level::info: return 6;
    case log::level::warning: return 4;
    case log::level::error: return 3;
    case log::level::off: break;
  }
  return 5;
}

} // namespace

log::structured_sink sink(const std::string& identifier) {
  return [identifier](log::level l, std::string_view category, std::string_view text,
                      const std::vector<log::field>& fields) {
    std::vector<std::string> items;
    items.reserve(4 + fields.size());
    items.push_back("MESSAGE=" + std::string{category} + ": " + std::string{text});
    items.push_back("PRIORITY=" + std::to_string(syslog_priority(l)));
    items.push_back("SYSLOG_IDENTIFIER=" + identifier);
    items.push_back("HBS_CATEGORY=" + std::string{category});
    for (auto& [name, value] : fields)
      if (!value.empty())
        items.push_back(std::string{name} + "=" + value);
    std::vector<iovec> iov;
    iov.reserve(items.size());
    for (auto& i : items)
      iov.push_back({i.data(), i.size()});
    sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  };
}

} // namespace hbs::journal
