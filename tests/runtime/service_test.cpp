#include <doctest/doctest.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/service.hpp"

namespace {

// systemd's end of the protocol: a datagram socket bound where NOTIFY_SOCKET points.
struct fake_systemd {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  std::string name;

  explicit fake_systemd(std::string where) : name(std::move(where)) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, name.data(), name.size());
    if (name[0] == '@')
      sa.sun_path[0] = '\0';
    if (name[0] == '/')
      unlink(name.c_str());
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0);
    setenv("NOTIFY_SOCKET", name.c_str(), 1);
  }
  ~fake_systemd() {
    unsetenv("NOTIFY_SOCKET");
    close(fd);
    if (name[0] == '/')
      unlink(name.c_str());
  }
  std::string next() {
    char buf[512];
    auto n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    return n < 0 ? std::string{"<nothing>"} : std::string(buf, static_cast<size_t>(n));
  }
};

} // namespace

TEST_CASE("readiness and the watchdog reach systemd's socket as the protocol lines") {
  fake_systemd sd{"/tmp/hbs-notify-test-" + std::to_string(getpid())};
  hbs::service::ready("monitoring 3 hosts");
  CHECK(sd.next() == "READY=1\nSTATUS=monitoring 3 hosts");
  hbs::service::watchdog();
  CHECK(sd.next() == "WATCHDOG=1");
  hbs::service::stopping();
  CHECK(sd.next() == "STOPPING=1");
}

TEST_CASE("a notify socket in the abstract namespace is reached too") {
  fake_systemd sd{"@hbs-notify-test-" + std::to_string(getpid())};
  CHECK(hbs::service::notify("STATUS=up"));
  CHECK(sd.next() == "STATUS=up");
}

TEST_CASE("without systemd, or with a socket it cannot reach, a notification is not sent") {
  unsetenv("NOTIFY_SOCKET");
  CHECK_FALSE(hbs::service::notify("READY=1"));
  setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
  CHECK_FALSE(hbs::service::notify("READY=1"));
  setenv("NOTIFY_SOCKET", "/nonexistent/hbs/notify", 1);
  CHECK_FALSE(hbs::service::notify("READY=1"));
  unsetenv("NOTIFY_SOCKET");
}
