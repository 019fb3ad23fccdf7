// Freezes some threads of a running process for a while, the others running on: the test
// double of a wedged thread (a responder, the socket loop, the scheduler) with no hook in
// the daemon. Each thread is stopped with ptrace (PTRACE_SEIZE + PTRACE_INTERRUPT), which
// stops that thread alone, and resumed by detaching. Needs root (or ptrace rights).
//   freeze-threads PID SECONDS io       the thread named hbs-io (the socket loop)
//   freeze-threads PID SECONDS workers  every thread but the main one and hbs-io
#include <dirent.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string comm(pid_t pid, pid_t tid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/comm"};
  std::string name;
  std::getline(in, name);
  return name;
}

std::vector<pid_t> threads(pid_t pid) {
  std::vector<pid_t> out;
  auto dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (auto* e = readdir(d))
      if (e->d_name[0] != '.')
        out.push_back(static_cast<pid_t>(std::stoi(e->d_name)));
    closedir(d);
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::strcmp(argv[3], "io") != 0 && std::strcmp(argv[3], "workers") != 0)) {
    std::fprintf(stderr, "usage: freeze-threads PID SECONDS io|workers\n");
    return 2;
  }
  pid_t pid = std::stoi(argv[1]);
  double seconds = std::stod(argv[2]);
  bool io = std::strcmp(argv[3], "io") == 0;
  std::vector<pid_t> frozen;
  for (auto tid : threads(pid)) {
    bool is_io = comm(pid, tid) == "hbs-io";
    if (io ? !is_io : (is_io || tid == pid))
      continue;
    if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0
        || ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) {
      std::fprintf(stderr, "freeze-threads: thread %d: %s\n", tid, std::strerror(errno));
      continue;
    }
    int status = 0;
    waitpid(tid, &status, __WALL);
    frozen.push_back(tid);
  }
  if (frozen.empty()) {
    std::fprintf(stderr, "freeze-threads: no %s thread in process %d\n", argv[3], pid);
    return 1;
  }
  std::printf("froze %zu thread(s) of %d for %.1f s\n", frozen.size(), pid, seconds);
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  for (auto tid : frozen)
    ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
  return 0;
}
