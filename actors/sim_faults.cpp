#include "actors/sim_faults.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

namespace hbs {

namespace {

bool number(std::string_view s, uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool network_of(const std::string& s, int& out) {
  if (s.empty() || s == "all")
    out = -1;
  else if (s == "mgmt" || s == "management")
    out = 0;
  else if (s == "clstr" || s == "cluster-host")
    out = 1;
  else
    return false;
  return true;
}

} // namespace

sim_faults::sim_faults(std::vector<std::string> names)
  : names_(std::move(names)), stopped_(names_.size()), flap_ms_(names_.size()) {
}

bool sim_faults::hosts_of(std::string_view spec, std::vector<size_t>& out,
                          std::string& error) const {
  out.clear();
  uint64_t a = 0, b = 0;
  auto dash = spec.find('-');
  if (spec == "all") {
    for (size_t i = 0; i < names_.size(); ++i)
      out.push_back(i);
  } else if (number(spec, a) && a < names_.size()) {
    out.push_back(a);
  } else if (dash != std::string_view::npos && number(spec.substr(0, dash), a)
             && number(spec.substr(dash + 1), b) && a <= b && b < names_.size()) {
    for (auto i = a; i <= b; ++i)
      out.push_back(i);
  } else {
    for (size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == spec)
        out.push_back(i);
  }
  if (out.empty())
    error = "no host '" + std::string{spec} + "' (all, an index or range below "
            + std::to_string(names_.size()) + ", or a host name)";
  return !out.empty();
}

fault_result sim_faults::apply(std::string_view command) {
  fault_result r;
  std::istringstream in{std::string{command}};
  std::string verb, a1, a2, a3, extra;
  in >> verb >> a1 >> a2 >> a3 >> extra;
  std::vector<size_t> hosts;
  int net = -1;
  uint64_t n = 0;
  auto set = [&](bool stop, uint32_t flap) {
    for (auto h : hosts)
      for (int k = 0; k < 2; ++k)
        if (net < 0 || net == k) {
          stopped_[h][k] = stop;
          flap_ms_[h][k] = flap;
        }
  };
  if (!extra.empty()) {
    r.error = "too many words";
  } else if ((verb == "stop" || verb == "resume") && hosts_of(a1, hosts, r.error)) {
    if (!a3.empty() || !network_of(a2, net))
      r.error = "network '" + a2 + "': allowed mgmt | clstr | all";
    else
      set(verb == "stop", 0), r.ok = true;
  } else if (verb == "flap" && hosts_of(a1, hosts, r.error)) {
    if (!network_of(a2, net) || !number(a3, n) || n < 10)
      r.error = "usage: flap HOSTS NET MS (MS >= 10)";
    else
      set(false, static_cast<uint32_t>(n)), r.ok = true;
  } else if (verb == "switch") {
    double f = std::atof(a1.c_str());
    if (!(f > 0 && f <= 1) || !network_of(a2, net) || !a3.empty()) {
      r.error = "usage: switch FRACTION (0..1] NET";
    } else {
      auto count = static_cast<size_t>(std::ceil(f * static_cast<double>(names_.size())));
      for (size_t i = 0; i < count; ++i)
        hosts.push_back(i);
      set(true, 0);
      r.ok = true;
    }
  } else if (verb == "drop" || verb == "delay") {
    uint64_t limit = verb == "drop" ? 100 : 5000;
    if (!number(a1, n) || n > limit || !a2.empty())
      r.error = "usage: " + verb + " 0.." + std::to_string(limit);
    else
      (verb == "drop" ? drop_percent_ : delay_ms_) = static_cast<uint32_t>(n), r.ok = true;
  } else if (verb == "heal" && a1.empty()) {
    for (size_t i = 0; i < names_.size(); ++i)
      stopped_[i] = {false, false}, flap_ms_[i] = {0, 0};
    drop_percent_ = delay_ms_ = 0;
    r.ok = true;
  } else if (r.error.empty()) {
    r.error = "unknown command '" + verb + "': stop | resume | flap | switch | drop | delay | heal";
  }
  if (r.ok) {
    r.num_hosts = hosts.size();
    r.what = std::string{command};
  }
  return r;
}

bool sim_faults::silent(size_t host, uint8_t network, int64_t now_ms) const {
  if (stopped_[host][network & 1])
    return true;
  auto flap = flap_ms_[host][network & 1];
  return flap != 0 && (now_ms / flap) % 2 == 1;
}

size_t sim_faults::num_silent(uint8_t network) const {
  size_t n = 0;
  for (auto& s : stopped_)
    n += s[network & 1];
  return n;
}

} // namespace hbs
