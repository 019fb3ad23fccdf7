#include "runtime/service.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace hbs::service {

// The notification protocol itself, as systemd documents it for programs that do not link
// libsystemd (sd_notify(3), "Standalone Implementations"): one datagram of NAME=VALUE lines
// to the AF_UNIX socket named by $NOTIFY_SOCKET, a path or "@" for the abstract namespace.
// Linking libsystemd only for this cost every host's client ~1 MB of resident pages.
bool notify(const std::string& message) {
  const char* where = std::getenv("NOTIFY_SOCKET");
  if (!where || !*where)
    return false; // not started by systemd as Type=notify: nothing to tell
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  size_t len = std::strlen(where);
  if ((where[0] != '/' && where[0] != '@') || len >= sizeof sa.sun_path)
    return false; // vsock and other transports are for VMs and containers, not hbs
  std::memcpy(sa.sun_path, where, len);
  if (sa.sun_path[0] == '@')
    sa.sun_path[0] = '\0';
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  auto salen = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  auto sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&sa), salen);
  close(fd);
  return sent == static_cast<ssize_t>(message.size());
}

void ready(const std::string& status) {
  notify("READY=1\nSTATUS=" + status);
}

void status(const std::string& status) {
  notify("STATUS=" + status);
}

void watchdog() {
  notify("WATCHDOG=1");
}

void stopping() {
  notify("STOPPING=1");
}

bool stderr_to_journal() {
  return std::getenv("JOURNAL_STREAM") != nullptr; // set by systemd for journal stdio
}

bool under_systemd() {
  return std::getenv("JOURNAL_STREAM") != nullptr || std::getenv("NOTIFY_SOCKET") != nullptr;
}

} // namespace hbs::service
