#pragma once
// Multi-node failure avoidance (reference §6.2) as a value type. Hosts enter a per-network
// tally when they go minor on management (or degraded on cluster-host, or lost); when a
// tally reaches the threshold the cluster is in MNFA: missing hosts are pooled, losses are
// not failures, and the pool recovers gracefully when the network returns. No CAF, no time.

#include <array>
#include <set>
#include <string>
#include <vector>

namespace hbs {

struct mnfa_config {
  uint32_t threshold = 2;          // hosts in one network's tally, 2..100
  uint32_t threshold_percent = 0;  // 1..100: percent of monitored hosts instead (min 2)
  uint32_t timeout_s = 0;          // 0: never force; else 100..86400
};

enum class mnfa_step : uint8_t { none, enter, exit_graceful, exit_forced, cancel, left_pool };
const char* to_string(mnfa_step s);

struct mnfa_decision {
  mnfa_step step = mnfa_step::none;
  uint8_t network = 0;
  uint32_t tally = 0;
  uint32_t threshold = 0;
  std::vector<std::string> hosts; // enter: the pool; exits and cancel: the pool then;
                                  // left_pool: the host that answered again
  std::vector<std::string> still_missing; // exits: pooled hosts not answering yet
  std::vector<std::string> still_lost;    // of those, the ones whose loss MNFA suppressed
};

class mnfa_logic {
public:
  explicit mnfa_logic(mnfa_config c = {}) : config_(c) {}

  mnfa_decision add(const std::string& host, uint8_t network, size_t monitored);
  mnfa_decision remove(const std::string& host, uint8_t network, size_t monitored);
  // A host reached the loss threshold: true when MNFA forbids failing it.
  bool note_loss(const std::string& host);
  mnfa_decision timeout();
  mnfa_decision cancel();
  // Another agent decided MNFA: this one's tallies become its pool, without a decision.
  void adopt();
  void forget(const std::string& host); // stopped or deleted: out of every tally and the pool

  bool active() const { return active_; }
  bool pooled(const std::string& host) const { return pool_.count(host) != 0; }
  uint32_t threshold(size_t monitored) const;
  size_t tally(uint8_t network) const { return tally_[network & 1].size(); }
  const std::set<std::string>& tally_hosts(uint8_t network) const { return tally_[network & 1]; }
  const std::set<std::string>& pool() const { return pool_; }
  uint64_t occurrences() const { return occurrences_; }
  const mnfa_config& config() const { return config_; }
  void set_config(mnfa_config c) { config_ = c; }

private:
  mnfa_decision leave(mnfa_step step);
  bool in_any_tally(const std::string& host) const;

  mnfa_config config_;
  std::array<std::set<std::string>, 2> tally_;
  std::set<std::string> pool_;
  std::set<std::string> lost_; // pooled hosts whose loss MNFA suppressed
  bool active_ = false;
  uint64_t occurrences_ = 0;
};

} // namespace hbs
