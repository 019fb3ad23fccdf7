#include "runtime/control_socket.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <vector>

#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/multiplexer.hpp>
#include <caf/scoped_actor.hpp>

#include "runtime/log.hpp"

namespace hbs {

namespace {

bool fill_address(const std::string& path, sockaddr_un& sa, std::string& error) {
  sa = {};
  sa.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sa.sun_path) {
    error = "control socket path \"" + path + "\": empty or longer than "
            + std::to_string(sizeof sa.sun_path - 1) + " characters";
    return false;
  }
  std::memcpy(sa.sun_path, path.data(), path.size());
  return true;
}

bool make_parent(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0)
    return true;
  std::string dir;
  for (size_t i = 1; i <= slash; ++i)
    if (i == slash || path[i] == '/') {
      dir = path.substr(0, i);
      if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return false;
    }
  return true;
}

// The peer's supplementary groups as they were when it connected (SO_PEERGROUPS, Linux
// 4.13): from the socket, not /proc, which a hardened unit hides (ProtectProc=invisible).
bool in_group(int fd, long gid) {
  std::vector<gid_t> groups(64);
  for (int tries = 0; tries < 4; ++tries) {
    socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      return std::find(groups.begin(), groups.end(), static_cast<gid_t>(gid)) != groups.end();
    }
    if (errno != ERANGE)
      return false;
    groups.resize(len / sizeof(gid_t) + 1); // len says how much room the list needs
  }
  return false;
}

} // namespace

std::unique_ptr<control_socket> control_socket::open(caf::actor_system& sys, io_loop& loop,
                                                     const std::string& path,
                                                     const std::string& group,
                                                     control_actor gateway,
                                                     std::string& error) {
  std::unique_ptr<control_socket> cs{new control_socket};
  cs->sys_ = &sys;
  cs->loop_ = &loop;
  cs->path_ = path;
  cs->gateway_ = std::move(gateway);
  sockaddr_un sa;
  if (!fill_address(path, sa, error))
    return nullptr;
  if (!make_parent(path)) {
    error = "cannot create the directory of " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  if (!group.empty())
    if (auto* g = getgrnam(group.c_str()))
      cs->group_ = static_cast<long>(g->gr_gid);
  cs->fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  unlink(path.c_str()); // a stale socket of an earlier run
  if (cs->fd_ < 0 || bind(cs->fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0
      || chmod(path.c_str(), cs->group_ >= 0 ? 0660 : 0600) != 0
      || (cs->group_ >= 0 && chown(path.c_str(), 0, static_cast<gid_t>(cs->group_)) != 0
          && geteuid() == 0)
      || listen(cs->fd_, 16) != 0) {
    error = "control socket " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  auto* raw = cs.get();
  loop.watch(cs->fd_, [raw] { raw->accept_all(); });
  loop.arm(cs->fd_);
  log::info("main", "control socket {} (mode {}): root, uid {}{} may inspect", path,
            cs->group_ >= 0 ? "0660" : "0600", geteuid(),
            cs->group_ >= 0 ? " and group " + group : std::string{});
  return cs;
}

control_socket::~control_socket() {
  if (fd_ >= 0) {
    loop_->forget(fd_);
    close(fd_);
    unlink(path_.c_str());
  }
}

bool control_socket::allowed(int fd, std::string& who) const {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    who = std::string{"unknown ("} + std::strerror(errno) + ")";
    return false;
  }
  who = "pid " + std::to_string(cred.pid) + " uid " + std::to_string(cred.uid);
  return cred.uid == 0 || cred.uid == geteuid()
         || (group_ >= 0 && (static_cast<long>(cred.gid) == group_ || in_group(fd, group_)));
}

// On the socket loop's thread: each connection is checked, then given to the BASP broker,
// which runs the handshake and serves the control gateway on it.
void control_socket::accept_all() {
  for (;;) {
    int c = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (c < 0)
      break;
    std::string who;
    if (!allowed(c, who)) {
      close(c);
      auto n = ++refused_;
      if (n == 1 || n % 100 == 0)
        log::warn("main", "control socket: refused {} ({} refused so far)", who, n);
      continue;
    }
    auto& mm = sys_->middleman();
    auto basp = mm.named_broker<caf::io::basp_broker>(caf::atom("BASP"));
    prune_spawn_servers(*sys_);
    auto scribe = mm.backend().new_scribe(c);
    caf::anon_send(basp, caf::publish_atom::value, std::move(scribe), uint16_t{0},
                   caf::actor_cast<caf::strong_actor_ptr>(gateway_),
                   sys_->message_types(gateway_));
  }
  loop_->arm(fd_);
}

// CAF 0.17's BASP broker keeps a spawn-server entry for every node it ever met and never
// drops it (basp_broker::purge_state leaves spawn_servers alone). Every hbsctl run is a new
// node: ~1 KB of RSS each, for good (1.1 MB after 600 runs). On the broker's own thread,
// drop the entries of nodes it no longer has a route to and stop their helpers.
namespace {

// Runs fn(broker) on the BASP broker's own thread, unless it is gone or going.
template <class Fn>
void on_broker(caf::actor_system& sys, Fn fn) {
  auto& mm = sys.middleman();
  auto basp = mm.named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  auto* ptr = caf::actor_cast<caf::abstract_actor*>(basp);
  if (!ptr)
    return;
  mm.backend().dispatch([ptr, keep = basp, fn = std::move(fn)]() mutable {
    auto* b = static_cast<caf::io::basp_broker*>(ptr);
    if (!b->getf(caf::abstract_actor::is_terminated_flag))
      fn(*b);
  });
}

} // namespace

void prune_spawn_servers(caf::actor_system& sys) {
  on_broker(sys, [](caf::io::basp_broker& b) {
    auto& servers = b.spawn_servers;
    for (auto i = servers.begin(); i != servers.end();) {
      if (b.instance.tbl().lookup(i->first)) {
        ++i;
        continue;
      }
      // Its helper waits up to 5 min for the gone node's answer, registered by id: stopped
      // now, or the registry still holds it when the process ends (segfault at exit).
      caf::anon_send_exit(i->second, caf::exit_reason::user_shutdown);
      i = servers.erase(i);
    }
  });
}

void stop_spawn_servers(caf::actor_system& sys) {
  auto found = std::make_shared<std::promise<std::vector<caf::actor>>>();
  auto helpers = found->get_future();
  on_broker(sys, [found](caf::io::basp_broker& b) {
    std::vector<caf::actor> out;
    for (auto& kv : b.spawn_servers)
      out.push_back(kv.second);
    b.spawn_servers.clear();
    found->set_value(std::move(out));
  });
  if (helpers.wait_for(std::chrono::seconds{2}) != std::future_status::ready)
    return;
  std::vector<caf::actor> list;
  try {
    list = helpers.get();
  } catch (const std::future_error&) {
    return; // the broker was gone before it ran the task
  }
  caf::scoped_actor self{sys};
  size_t left = 0;
  for (auto& h : list)
    if (h) {
      self->monitor(h);
      self->send_exit(h, caf::exit_reason::user_shutdown);
      ++left;
    }
  bool waiting = left > 0;
  self->receive_while([&] { return waiting && left > 0; })(
    [&](caf::down_msg&) { --left; },
    caf::after(std::chrono::seconds{2}) >> [&] { waiting = false; });
}

caf::expected<control_actor> connect_control_socket(caf::actor_system& sys,
                                                    const std::string& path,
                                                    std::chrono::seconds timeout) {
  sockaddr_un sa;
  std::string err;
  if (!fill_address(path, sa, err))
    return caf::make_error(caf::sec::cannot_connect_to_node, err);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    auto why = std::string{std::strerror(errno)};
    if (fd >= 0)
      close(fd);
    return caf::make_error(caf::sec::cannot_connect_to_node, path + ": " + why);
  }
  auto& mm = sys.middleman();
  auto basp = mm.named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  caf::scoped_actor self{sys};
  caf::expected<control_actor> out{caf::sec::cannot_connect_to_node};
  self->request(basp, timeout, caf::connect_atom::value, mm.backend().new_scribe(fd),
                uint16_t{0})
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>& ifs) {
        if (ptr && sys.assignable<control_actor>(ifs))
          out = caf::actor_cast<control_actor>(std::move(ptr));
        else
          out = caf::make_error(caf::sec::unexpected_actor_messaging_interface,
                                path + ": not an hbs-agent control gateway");
      },
      [&](caf::error& e) {
        // A refused peer is closed before the handshake: say what that means.
        out = e == caf::sec::disconnect_during_handshake
                ? caf::make_error(caf::sec::cannot_connect_to_node,
                                  path + ": the agent closed the connection (only root, the "
                                         "agent's user and its control group may connect)")
                : std::move(e);
      });
  return out;
}

} // namespace hbs
