#pragma once
// hbs-sim's injected faults as a value type: which simulated host is silent on which
// network, random response loss, added delay, flapping. Commands are text lines, the same
// from the control port and from a scenario file:
//   stop HOSTS [mgmt|clstr|all]     resume HOSTS [NET]      flap HOSTS NET MS
//   switch FRACTION NET             drop PERCENT            delay MS        heal
// HOSTS: all | N | N-M | a host name.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hbs {

struct fault_result {
  bool ok = false;
  std::string error;        // why the command was refused
  std::string what;         // a one-line description for the fault log
  size_t num_hosts = 0;     // hosts the command touched
};

class sim_faults {
public:
  explicit sim_faults(std::vector<std::string> names);
  fault_result apply(std::string_view command);
  // now_ms drives flapping; roll is a uniform draw 0..99 for the drop percentage.
  bool silent(size_t host, uint8_t network, int64_t now_ms) const;
  bool dropped(uint32_t roll) const { return roll < drop_percent_; }
  uint32_t delay_ms() const { return delay_ms_; }
  size_t num_silent(uint8_t network) const;

private:
  bool hosts_of(std::string_view spec, std::vector<size_t>& out, std::string& error) const;

  std::vector<std::string> names_;
  std::vector<std::array<bool, 2>> stopped_;
  std::vector<std::array<uint32_t, 2>> flap_ms_;
  uint32_t drop_percent_ = 0;
  uint32_t delay_ms_ = 0;
};

} // namespace hbs
