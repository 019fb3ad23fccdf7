#include "runtime/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/file_text.hpp"

namespace hbs {

namespace {

bool fail(std::string& error, const std::string& what, const std::string& path) {
  error = what + " " + path + ": " + std::strerror(errno);
  return false;
}

// A failed write leaves no half-written temporary behind (a full disk stays as full as it
// was, and nothing half-written is ever renamed into place).
bool fail_and_remove(int fd, std::string& error, const std::string& what,
                     const std::string& tmp) {
  fail(error, what, tmp);
  close(fd);
  unlink(tmp.c_str());
  return false;
}

} // namespace

bool write_atomically(const std::string& path, const std::string& content, std::string& error) {
  auto tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0)
    return fail(error, "cannot create", tmp);
  size_t done = 0;
  while (done < content.size()) {
    auto n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return fail_and_remove(fd, error, "cannot write", tmp);
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0)
    return fail_and_remove(fd, error, "cannot fsync", tmp);
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    fail(error, "cannot rename over", path);
    unlink(tmp.c_str());
    return false;
  }
  auto slash = path.find_last_of('/');
  auto dir = slash == std::string::npos ? std::string{"."} : path.substr(0, slash);
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

bool read_file(const std::string& path, std::string& out, std::string& error) {
  out.clear();
  if (access(path.c_str(), F_OK) != 0)
    return true;
  if (auto why = cfg::read_text_file(path, out); !why.empty()) {
    error = "cannot read " + path + ": " + why;
    return false;
  }
  return true;
}

} // namespace hbs
