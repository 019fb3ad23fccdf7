#include "runtime/tcp_probe.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hbs {

std::string probe_tcp(const std::string& address, uint16_t port, int timeout_ms) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1)
    return "not an IPv4 address";
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return std::strerror(errno);
  std::string err;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS) {
    err = std::strerror(errno);
  } else {
    pollfd p{fd, POLLOUT, 0};
    int n = poll(&p, 1, timeout_ms);
    int so = 0;
    socklen_t len = sizeof so;
    if (n == 0)
      err = "no answer within " + std::to_string(timeout_ms) + " ms";
    else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len) != 0)
      err = std::strerror(errno);
    else if (so != 0)
      err = std::strerror(so);
  }
  close(fd);
  return err;
}

} // namespace hbs
