#include "runtime/service.hpp"

#include <cstdlib>

#include <systemd/sd-daemon.h>

namespace hbs::service {

void ready(const std::string& status) {
  sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void status(const std::string& status) {
  sd_notifyf(0, "STATUS=%s", status.c_str());
}

void watchdog() {
  sd_notify(0, "WATCHDOG=1");
}

void stopping() {
  sd_notify(0, "STOPPING=1");
}

bool stderr_to_journal() {
  return std::getenv("JOURNAL_STREAM") != nullptr; // set by systemd for journal stdio
}

bool under_systemd() {
  return std::getenv("JOURNAL_STREAM") != nullptr || std::getenv("NOTIFY_SOCKET") != nullptr;
}

} // namespace hbs::service
