// What the agent reads back from its state directory, and the alarm table the other agent
// sends: control.json (actors/control_state) and alarms.json (actors/alarm_table). The first
// byte picks the decoder. Beyond "no crash, no exception": one-line errors, a refused text
// changes nothing, and what is accepted writes out to a text that reads back the same.
#include <cstdint>
#include <string>

#include "actors/alarm_table.hpp"
#include "actors/control_state.hpp"
#include "fuzz/check.hpp"

using namespace hbs;

namespace {

cfg::agent_config base() {
  cfg::agent_config c;
  c.controller = "controller-0";
  cfg::network_config n;
  n.local_address = "10.0.0.1";
  c.networks = {n};
  c.hosts = {{"controller-1", cfg::host_type::controller, "10.0.0.2", "", true},
             {"worker-0", cfg::host_type::worker, "10.0.0.10", "", true}};
  return c;
}

void control(const std::string& text) {
  static const auto config = base();
  control_state cs{config};
  auto before = cs.to_json();
  std::string err;
  std::vector<std::string> notes;
  if (!cs.load(text, err, notes)) {
    FUZZ_CHECK(!err.empty() && err.find('\n') == std::string::npos);
    FUZZ_CHECK(cs.to_json() == before);
    return;
  }
  auto saved = cs.to_json();
  control_state again{config};
  FUZZ_CHECK(again.load(saved, err, notes));
  FUZZ_CHECK(again.to_json() == saved);
  FUZZ_CHECK(again.generation() == cs.generation());
}

void alarms(const std::string& text) {
  alarm_table t;
  std::string err;
  if (!t.from_json(text, err)) {
    FUZZ_CHECK(!err.empty() && t.size() == 0);
    return;
  }
  auto saved = t.to_json();
  alarm_table again;
  FUZZ_CHECK(again.from_json(saved, err));
  FUZZ_CHECK(again.to_json() == saved);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string text{reinterpret_cast<const char*>(data) + 1, size - 1};
  if (data[0] & 1)
    alarms(text);
  else
    control(text);
  return 0;
}
