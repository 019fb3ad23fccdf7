#include "runtime/credential.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <sodium.h>

#include "runtime/atomic_file.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

constexpr size_t token_bytes = 32;

bool make_dir_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  for (size_t i = 1; slash != std::string::npos && i <= slash; ++i)
    if (i == slash || path[i] == '/')
      if (mkdir(path.substr(0, i).c_str(), 0755) != 0 && errno != EEXIST)
        return false;
  return true;
}

} // namespace

bool read_token(const std::string& path, std::string& token, std::string& error) {
  if (access(path.c_str(), R_OK) != 0) {
    error = fmt::format("cannot read the control credential {}: {}", path,
                        std::strerror(errno));
    return false;
  }
  std::string text;
  if (!read_file(path, text, error))
    return false;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  if (text.size() < 2 * token_bytes) {
    error = fmt::format("the control credential {} is too short ({} characters, at least {})",
                        path, text.size(), 2 * token_bytes);
    return false;
  }
  token = std::move(text);
  return true;
}

bool ensure_token(const std::string& path, std::string& token, std::string& error) {
  if (access(path.c_str(), F_OK) == 0) {
    struct stat sb{};
    if (stat(path.c_str(), &sb) == 0 && (sb.st_mode & 0007) != 0)
      log::warn("main", "the control credential {} is readable by everyone: anyone can change "
                "the agent's state (chmod 0600, or 0640 for an admin group)", path);
    return read_token(path, token, error);
  }
  unsigned char raw[token_bytes];
  if (sodium_init() < 0) {
    error = "cannot draw random bytes for the control credential (libsodium did not start)";
    return false;
  }
  randombytes_buf(raw, sizeof raw); // the kernel's CSPRNG (getrandom)
  token.clear();
  for (auto b : raw)
    token += fmt::format("{:02x}", b);
  // Written whole under a name of this process's own, then linked into place: link() fails
  // if another agent (two on one machine share the file) got there first, and then its
  // token is the one, never a file renamed away under the other's feet.
  auto mine = fmt::format("{}.{}", path, getpid());
  auto old = umask(0077); // the temporary file is born 0600, never readable by others
  bool ok = make_dir_of(path) && write_atomically(mine, token + "\n", error);
  umask(old);
  if (!ok)
    return false;
  bool linked = link(mine.c_str(), path.c_str()) == 0;
  int err = errno;
  unlink(mine.c_str());
  if (!linked && err == EEXIST)
    return read_token(path, token, error);
  if (!linked) {
    error = fmt::format("cannot create {}: {}", path, std::strerror(err));
    return false;
  }
  log::info("main", "control credential created: {} (mode 0600)", path);
  return true;
}

std::shared_ptr<const wire::pulse_gate> load_pulse_gate(const cfg::pulse_auth_config& c,
                                                        std::string& error) {
  if (c.mode == wire::auth_mode::off)
    return nullptr;
  std::string text;
  struct stat st{};
  if (stat(c.key_file.c_str(), &st) != 0 || access(c.key_file.c_str(), R_OK) != 0
      || !read_file(c.key_file, text, error)) {
    error = fmt::format("cannot read the pulse key {}: {}", c.key_file, std::strerror(errno));
    return nullptr;
  }
  // Whoever reads the key can forge any host's pulses: as ssh does with its keys, refuse it.
  if (st.st_mode & 0077) {
    error = fmt::format("the pulse key {} is open to other users (mode {:04o}): chmod 0600 it",
                        c.key_file, st.st_mode & 07777);
    return nullptr;
  }
  auto gate = std::make_shared<wire::pulse_gate>();
  gate->mode = c.mode;
  gate->max_skew_ms = c.max_skew_ms;
  if (auto p = gate->key.load_hex(text); !p.empty()) {
    error = c.key_file + ": " + p;
    return nullptr;
  }
  log::info("main", "pulses authenticated: mode {}, key {}, replay window {} ms",
            wire::to_string(c.mode), c.key_file, c.max_skew_ms);
  return gate;
}

} // namespace hbs
