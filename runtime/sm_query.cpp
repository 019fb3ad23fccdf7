#include "runtime/sm_query.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace hbs {

sm_query_result sm_query(const std::string& address, uint16_t server_port, uint16_t client_port,
                         uint16_t reqid, int timeout_ms) {
  sm_query_result r;
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in me{};
  me.sin_family = AF_INET;
  me.sin_port = htons(client_port);
  inet_pton(AF_INET, address.c_str(), &me.sin_addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) != 0) {
    r.error = fmt::format("cannot listen on {}:{} for the reply ({}; is SM running there?)",
                          address, client_port, std::strerror(errno));
    if (fd >= 0)
      close(fd);
    return r;
  }
  auto json = fmt::format(R"({{"origin":"sm","service":"heartbeat","request":"cluster_info",)"
                          R"("reqid":"{}"}})", reqid);
  sockaddr_in agent = me;
  agent.sin_port = htons(server_port);
  sendto(fd, json.data(), json.size(), 0, reinterpret_cast<sockaddr*>(&agent), sizeof agent);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds{timeout_ms};
  uint8_t buf[1024];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) {
      r.error = fmt::format("no reply from the agent at {}:{} within {} ms", address,
                            server_port, timeout_ms);
      break;
    }
    auto n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      continue;
    auto err = wire::decode_cluster({buf, static_cast<size_t>(n)}, r.vault);
    if (err != wire::decode_error::none) {
      r.error = fmt::format("malformed vault reply ({} bytes): {}", n, wire::to_string(err));
      break;
    }
    if (r.vault.reqid == reqid) { // pushes (reqid 0) may arrive first
      r.ok = true;
      break;
    }
  }
  close(fd);
  return r;
}

} // namespace hbs
