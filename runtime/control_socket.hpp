#pragma once
// hbsctl reaches the agent over a local (AF_UNIX) stream socket, never over the network:
// the socket file is root's (mode 0660 with the control group, else 0600) and every
// connection's peer credentials (SO_PEERCRED) are checked before CAF sees it: root, the
// agent's own user and the control group's members get the control gateway over BASP; anyone
// else is closed, counted and logged. CAF 0.17 has no AF_UNIX support of its own: the
// accepted descriptor is handed to the BASP broker as a scribe (reference control-plane A.7).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include "actors/interfaces.hpp"
#include "runtime/io_loop.hpp"

namespace hbs {

// CAF 0.17's BASP broker remembers every node it ever met (about 1 KB each: every hbsctl
// run, every restart of the peer); this forgets those it no longer routes to. Cheap: call
// it on each new connection and now and then.
void prune_spawn_servers(caf::actor_system& sys);
// At exit, while the scheduler still runs: stops the broker's spawn-server helpers (one per
// node met). Left to ~actor_system, the registry destroys them after the scheduler and
// their cleanup calls into a dismantled system (hbs-agent segfaulted at exit).
void stop_spawn_servers(caf::actor_system& sys);

class control_socket {
public:
  // Binds path (a stale socket file is replaced; the directory is created 0755).
  static std::unique_ptr<control_socket> open(caf::actor_system& sys, io_loop& loop,
                                              const std::string& path,
                                              const std::string& group,
                                              control_actor gateway, std::string& error);
  ~control_socket();
  control_socket(const control_socket&) = delete;
  control_socket& operator=(const control_socket&) = delete;

  uint64_t num_refused() const { return refused_; }
  const std::string& path() const { return path_; }

private:
  control_socket() = default;
  void accept_all();
  bool allowed(int fd, std::string& who) const;

  caf::actor_system* sys_ = nullptr;
  io_loop* loop_ = nullptr;
  int fd_ = -1;
  std::string path_;
  long group_ = -1; // gid allowed besides root and the agent's user; -1: none
  control_actor gateway_;
  std::atomic<uint64_t> refused_{0};
};

// hbsctl's side: the agent's control gateway at path, or why not.
caf::expected<control_actor> connect_control_socket(caf::actor_system& sys,
                                                    const std::string& path,
                                                    std::chrono::seconds timeout);

} // namespace hbs
