#include "runtime/hook_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "runtime/log.hpp"

extern char** environ;

namespace hbs {

hook_runner::hook_runner(std::vector<cfg::hook_config> hooks, size_t workers, size_t queue)
  : hooks_(std::move(hooks)), max_queue_(queue) {
  if (hooks_.empty())
    return;
  signal(SIGPIPE, SIG_IGN); // a hook that does not read its stdin must not kill the agent
  for (size_t i = 0; i < workers; ++i)
    threads_.emplace_back([this] { work(); });
}

hook_runner::~hook_runner() {
  {
    std::lock_guard<std::mutex> g{mtx_};
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    t.join();
}

namespace {

bool matches(const cfg::hook_config& h, const std::string& kind, bool acted) {
  return (acted || !h.only_acted)
         && std::find(h.kinds.begin(), h.kinds.end(), kind) != h.kinds.end();
}

} // namespace

bool hook_runner::wants(const std::string& kind, bool acted) const {
  return std::any_of(hooks_.begin(), hooks_.end(),
                     [&](auto& h) { return matches(h, kind, acted); });
}

void hook_runner::submit(hook_event e) {
  {
    std::lock_guard<std::mutex> g{mtx_};
    if (queue_.size() >= max_queue_) {
      if (c_.num_dropped++ % 100 == 0)
        log::warn("hooks", "hook queue full ({} events): {} event dropped ({} so far)",
                  max_queue_, e.kind, c_.num_dropped);
      return;
    }
    queue_.push_back(std::move(e));
  }
  cv_.notify_one();
}

hook_counters hook_runner::counters() const {
  std::lock_guard<std::mutex> g{mtx_};
  return c_;
}

void hook_runner::work() {
  for (;;) {
    hook_event e;
    {
      std::unique_lock<std::mutex> g{mtx_};
      cv_.wait(g, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return; // stopping, nothing left
      e = std::move(queue_.front());
      queue_.pop_front();
    }
    for (auto& h : hooks_)
      if (matches(h, e.kind, e.acted))
        run(h, e);
  }
}

void hook_runner::run(const cfg::hook_config& h, const hook_event& e) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0)
    return;
  std::vector<std::string> env_text{"HBS_EVENT_KIND=" + e.kind, "HBS_EVENT_HOST=" + e.host,
                                    "HBS_EVENT_NETWORK=" + e.network,
                                    "HBS_CONTROLLER=" + e.controller,
                                    std::string{"HBS_EVENT_ACTED="} + (e.acted ? "1" : "0")};
  std::vector<char*> env;
  for (char** p = environ; *p; ++p)
    if (std::strncmp(*p, "HBS_", 4) != 0)
      env.push_back(*p);
  for (auto& s : env_text)
    env.push_back(s.data());
  env.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
  char* argv[] = {const_cast<char*>(h.command.c_str()), nullptr};
  pid_t pid = -1;
  int err = posix_spawn(&pid, h.command.c_str(), &fa, nullptr, argv, env.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  if (err != 0) {
    close(in[1]);
    std::lock_guard<std::mutex> g{mtx_};
    if (c_.num_failed++ % 100 == 0)
      log::warn("hooks", "cannot run {}: {} ({} failure(s) so far)", h.command,
                std::strerror(err), c_.num_failed);
    return;
  }
  auto line = e.json + "\n";
  [[maybe_unused]] auto n = write(in[1], line.data(), line.size());
  close(in[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds{h.timeout_ms};
  int status = 0;
  bool timed_out = false;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  std::lock_guard<std::mutex> g{mtx_};
  ++c_.num_run;
  if (timed_out) {
    if (c_.num_timed_out++ % 100 == 0)
      log::warn("hooks", "{} ({} event) killed after {} ms ({} time-out(s) so far)", h.command,
                e.kind, h.timeout_ms, c_.num_timed_out);
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (c_.num_failed++ % 100 == 0)
      log::warn("hooks", "{} ({} event) failed: {} ({} failure(s) so far)", h.command, e.kind,
                WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                                  : fmt::format("signal {}", WTERMSIG(status)),
                c_.num_failed);
  }
}

} // namespace hbs
