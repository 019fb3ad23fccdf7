// How long the control state takes per change as the inventory grows one host at a time, as
// an mtcAgent push of ADDs does on both agents (each change is merged, checked against the
// whole inventory and then written). Prints the time per change at each size reached.
// usage: control-merge [HOSTS (default 5000)] [--no-json]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "actors/control_state.hpp"

using namespace hbs;

int main(int argc, char** argv) {
  long n = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 5000;
  bool json = !(argc > 2 && std::string{argv[2]} == "--no-json"); // the JSON's garbage slows
                                                                    // the merges it interleaves
  if (n < 1 || n > static_cast<long>(cfg::max_hosts) - 1) {
    std::fprintf(stderr, "control-merge: HOSTS must be 1..%zu\n", cfg::max_hosts - 1);
    return 2;
  }
  cfg::agent_config c;
  c.controller = "controller-0";
  c.state_dir = "/nonexistent"; // nothing is written: the merge and the JSON are timed
  cfg::network_config net;
  net.local_address = "10.255.0.1";
  c.networks = {net};
  c.hosts = {{"controller-0", cfg::host_type::controller, "10.255.0.1", "", true}};
  control_state cs{c};
  using clock = std::chrono::steady_clock;
  double merge_s = 0, json_s = 0, window_merge = 0, window_json = 0;
  long window = 0;
  std::printf("%8s %16s %16s\n", "hosts", "merge us/change", "json us/change");
  for (long i = 0; i < n; ++i) {
    host_record r{fmt::format("worker-{}", i), cfg::host_type::worker,
                  fmt::format("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256), "",
                  true, false, {}, {}};
    r.at = r.started_at = *cs.next(0);
    auto d = cs.delta({});
    d.hosts = {r};
    std::string err;
    std::vector<std::string> notes;
    auto t0 = clock::now();
    if (!cs.merge(d, err, notes, 0, true)) {
      std::fprintf(stderr, "control-merge: refused at %ld: %s\n", i, err.c_str());
      return 1;
    }
    auto t1 = clock::now();
    auto text = json ? cs.to_json() : std::string{}; // a write per change, uncoalesced
    auto t2 = clock::now();
    window_merge += std::chrono::duration<double>(t1 - t0).count();
    window_json += std::chrono::duration<double>(t2 - t1).count();
    ++window;
    if ((i + 1) % 1000 == 0 || i + 1 == n) {
      std::printf("%8ld %16.0f %16.0f\n", i + 1, window_merge / window * 1e6,
                  window_json / window * 1e6);
      std::fflush(stdout);
      merge_s += window_merge;
      json_s += window_json;
      window_merge = window_json = 0;
      window = 0;
    }
  }
  size_t held = 0;
  for (auto& [name, h] : cs.hosts())
    held += cs.holds(h);
  std::printf("total for %ld changes: merge %.2f s, JSON %.1f s; %zu hosts held\n", n, merge_s,
              json_s, held);
}
