#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <memory>
#include <string>

#include "runtime/io_loop.hpp"
#include "runtime/udp_socket.hpp"

using namespace std::chrono_literals;

namespace {

// A loopback address of its own (all of 127/8 is local), so no other test's port is taken.
constexpr const char* test_address = "127.61.0.1";

// A port the kernel just handed out on test_address (bound to port 0, then let go), so two
// runs of the tests at once on one machine do not collide.
uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, test_address, &a.sin_addr);
  socklen_t len = sizeof a;
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0
            && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(fd);
  REQUIRE(ok);
  return ntohs(a.sin_port);
}

// Counts the socket's wake-ups; a test waits for the n-th one (bounded, never sleeps).
struct wakeups {
  std::mutex mtx;
  std::condition_variable cv;
  int count = 0;
  std::chrono::steady_clock::time_point last;

  void note() {
    std::lock_guard<std::mutex> guard{mtx};
    ++count;
    last = std::chrono::steady_clock::now();
    cv.notify_all();
  }
  int seen() {
    std::lock_guard<std::mutex> guard{mtx};
    return count;
  }
  bool wait_for(int n) {
    std::unique_lock<std::mutex> lock{mtx};
    return cv.wait_for(lock, 5s, [&] { return count >= n; });
  }
};

// A loopback socket on a running io_loop whose wake-ups are counted.
struct counted_socket {
  hbs::io_loop loop;
  std::shared_ptr<hbs::udp_socket> sock;
  wakeups w;
  uint16_t port = free_port();

  counted_socket() {
    loop.start();
    std::string error;
    sock = hbs::open_local_socket(loop, test_address, port, error);
    REQUIRE_MESSAGE(static_cast<bool>(sock), error);
    sock->on_readable([this] { w.note(); });
  }
  ~counted_socket() {
    sock.reset();
    loop.stop();
  }
};

} // namespace

TEST_CASE("a socket re-armed after a pause wakes its owner when the pause ends, data or not") {
  counted_socket c;
  auto start = std::chrono::steady_clock::now();
  REQUIRE(c.sock->rearm_after(30ms));
  REQUIRE(c.w.wait_for(1));
  CHECK(c.w.last - start >= 30ms);
  // The timer is used again for the next pause.
  start = std::chrono::steady_clock::now();
  REQUIRE(c.sock->rearm_after(10ms));
  REQUIRE(c.w.wait_for(2));
  CHECK(c.w.last - start >= 10ms);
}

TEST_CASE("answers that arrive during a pause are read when it ends") {
  counted_socket c;
  auto start = std::chrono::steady_clock::now();
  REQUIRE(c.sock->rearm_after(20ms));
  std::string text = "during the pause"; // sent by the socket to itself
  hbs::outgoing o{hbs::parse_ipv4(test_address), 0, c.port, static_cast<uint16_t>(text.size()),
                  reinterpret_cast<const uint8_t*>(text.data())};
  REQUIRE(c.sock->send(&o, 1) == 1);
  REQUIRE(c.w.wait_for(1));
  CHECK(c.w.last - start >= 20ms); // woken by the timer, not by the datagram
  hbs::datagram rx[4];
  REQUIRE(c.sock->receive(rx, 4) == 1);
  CHECK(std::string(rx[0].data.begin(), rx[0].data.begin() + rx[0].size)
        == "during the pause");
  CHECK(c.w.seen() == 1); // and once: the socket was not armed during the pause
}

TEST_CASE("a socket without a readiness callback leaves the pause to its owner") {
  hbs::io_loop loop;
  std::string error;
  auto sock = hbs::open_local_socket(loop, test_address, free_port(), error);
  REQUIRE_MESSAGE(static_cast<bool>(sock), error);
  CHECK_FALSE(sock->rearm_after(10ms));
}
