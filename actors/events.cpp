#include "actors/events.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "actors/store.hpp"
#include "runtime/log.hpp"

namespace hbs {

std::string to_json_line(const event& e) {
  nlohmann::json j{{"time_ms", e.time_ms}, {"kind", e.kind},         {"controller", e.controller},
                   {"host", e.host},       {"network", e.network},   {"b2b", e.b2b},
                   {"detail", e.detail},   {"mono_ms", e.mono_ms},   {"acted", e.acted},
                   {"epoch", e.epoch}};
  return j.dump();
}

std::string append_record(int fd, int64_t& size, const std::string& line) {
  size_t done = 0;
  while (done < line.size()) {
    auto n = write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::string err = std::strerror(n < 0 ? errno : ENOSPC);
      // A torn record would merge with the next one: cut the file back to whole records.
      if (done > 0)
        err += ftruncate(fd, size) == 0
                 ? std::string{" (the part written was cut back)"}
                 : std::string{"; cannot cut back the torn record: "} + std::strerror(errno);
      return err;
    }
    done += static_cast<size_t>(n);
  }
  size += static_cast<int64_t>(line.size());
  return {};
}

events_state::~events_state() {
  if (fd >= 0)
    close(fd);
}

namespace {

using self_ptr = events_actor::stateful_pointer<events_state>;

// "" or why the file cannot be opened (then events are kept in memory, and the next event
// tries again).
std::string open_file(events_state& st) {
  st.fd = open(st.setup.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (st.fd < 0)
    return std::string{"cannot open for appending: "} + std::strerror(errno);
  struct stat sb{};
  fstat(st.fd, &sb);
  st.size = sb.st_size;
  return {};
}

// The file is full: shift path.N-1 -> path.N ... path -> path.1 (the oldest falls off) and
// start a new one. Renames only: every file holds whole records.
void rotate(events_state& st) {
  auto& path = st.setup.path;
  close(st.fd);
  st.fd = -1;
  auto name = [&](uint32_t i) { return i == 0 ? path : path + "." + std::to_string(i); };
  if (st.setup.keep == 0) {
    unlink(path.c_str());
  } else {
    unlink(name(st.setup.keep).c_str());
    for (uint32_t i = st.setup.keep; i > 0; --i)
      if (rename(name(i - 1).c_str(), name(i).c_str()) != 0 && errno != ENOENT)
        log::warn("events", "cannot rename {} to {}: {}", name(i - 1), name(i),
                  std::strerror(errno));
  }
  ++st.num_rotations;
  log::info("events", "{} reached {} bytes: rotated (rotation {}, {} older file(s) kept)",
            path, st.size, st.num_rotations, st.setup.keep);
}

void record(self_ptr self, event& e) {
  auto& st = self->state;
  if (e.time_ms == 0) // else stamped where it was decided
    e.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  e.epoch = st.epoch;
  auto line = to_json_line(e);
  bool bad = e.kind == "loss" || e.kind == "degrade_set";
  auto lvl = bad ? log::level::warning : log::level::info;
  if (log::enabled(lvl)) // as fields too, for journalctl HBS_EVENT=loss HBS_HOST=worker-3
    log::write(lvl, "event", line, {{"HBS_EVENT", e.kind}, {"HBS_HOST", e.host},
                                    {"HBS_NETWORK", e.network},
                                    {"HBS_CONTROLLER", e.controller},
                                    {"HBS_ACTED", e.acted ? "1" : "0"}});
  if (st.setup.mtc)
    self->send(st.setup.mtc, e);
  if (st.setup.hooks && st.setup.hooks->wants(e.kind, e.acted))
    st.setup.hooks->submit({e.kind, e.host, e.network, e.controller, line, e.acted});
  if (!st.setup.path.empty()) {
    line += '\n';
    if (st.fd >= 0 && st.setup.max_bytes > 0 && st.size > 0
        && st.size + static_cast<int64_t>(line.size()) > st.setup.max_bytes)
      rotate(st);
    auto err = st.fd >= 0 ? std::string{} : open_file(st);
    if (err.empty())
      err = append_record(st.fd, st.size, line);
    note_write(st.health, st.failing_since, self->clock().now(), err);
  }
  st.ring.push_back(std::move(e));
  while (st.ring.size() > st.setup.ring_size)
    st.ring.pop_front();
}

// The newest whole records of one file, oldest first (a torn tail line is skipped).
void read_records(const std::string& file, size_t max, std::deque<event>& out) {
  std::ifstream in{file};
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(std::move(line));
    if (lines.size() > max)
      lines.pop_front();
  }
  for (auto& line : lines) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      continue;
    event e;
    e.kind = j.value("kind", "");
    e.controller = j.value("controller", "");
    e.host = j.value("host", "");
    e.network = j.value("network", "");
    e.b2b = j.value("b2b", 0u);
    e.detail = j.value("detail", "");
    e.time_ms = j.value("time_ms", int64_t{0});
    e.mono_ms = j.value("mono_ms", int64_t{0});
    e.acted = j.value("acted", true);
    e.epoch = j.value("epoch", uint64_t{0});
    out.push_back(std::move(e));
  }
}

// After a restart hbsctl events shows what happened before it: the ring is refilled from
// the newest records of the file and, if they are too few, the newest rotated one.
void reload_ring(events_state& st) {
  auto& path = st.setup.path;
  std::deque<event> older, newer;
  read_records(path, st.setup.ring_size, newer);
  if (newer.size() < st.setup.ring_size && st.setup.keep > 0)
    read_records(path + ".1", st.setup.ring_size - newer.size(), older);
  st.ring = std::move(older);
  st.ring.insert(st.ring.end(), newer.begin(), newer.end());
}

} // namespace

events_actor::behavior_type events_fn(self_ptr self, events_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.health.file = st.setup.path.empty() ? "events.jsonl" : st.setup.path;
  if (!st.setup.path.empty())
    reload_ring(st);
  if (!st.setup.path.empty())
    if (auto err = open_file(st); !err.empty())
      note_write(st.health, st.failing_since, self->clock().now(), err);
  return {
    [=](event& e) { record(self, e); },
    [=](epoch_atom, uint64_t epoch) { self->state.epoch = epoch; },
    [=](events_atom, uint32_t n) {
      auto& ring = self->state.ring;
      auto count = std::min<size_t>(n, ring.size());
      return std::vector<event>(ring.end() - static_cast<std::ptrdiff_t>(count), ring.end());
    },
    [=](health_atom) {
      return health_now(self->state.health, self->state.failing_since, self->clock().now());
    },
    [=](flush_atom) { return self->state.fd < 0 || fsync(self->state.fd) == 0; },
    [=](reload_atom) {
      // SIGHUP: a file an outside tool moved or removed is started afresh at the path.
      auto& st = self->state;
      if (st.setup.path.empty())
        return;
      if (st.fd >= 0)
        close(st.fd);
      st.fd = -1;
      if (auto why = open_file(st); !why.empty())
        log::warn("events", "{}: {} (events kept in memory until it opens)", st.setup.path, why);
      else
        log::info("events", "{} reopened ({} bytes)", st.setup.path, st.size);
    },
  };
}

} // namespace hbs
