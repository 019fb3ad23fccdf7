// control.json: the control state's registers changed at run time (and those of hosts this
// agent's file does not name) written as JSON, and read back over the file's seed.
#include "actors/control_state.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "messages/json_whole.hpp"

namespace hbs {

namespace {

using json = nlohmann::json;

// A whole number that fits T, or a throw (messages/json_whole.hpp).
template <class T>
T whole(const json& v, const char* what) {
  T out{};
  if (!json_whole(v, out))
    throw std::runtime_error(std::string{what} + ": expected a whole number in range, got "
                             + v.dump());
  return out;
}

json stamp_json(const stamp& s) {
  return {{"generation", s.generation}, {"origin", s.origin}};
}

stamp stamp_of(const json& j) {
  return {whole<uint64_t>(j.at("generation"), "generation"),
          whole<uint32_t>(j.at("origin"), "origin")};
}

} // namespace

std::string control_state::to_json() const {
  json hosts = json::array();
  // Registers changed at run time, and all of a host this agent's file does not name (the
  // peer's file's): a generation-0 value of a host the file names is the file's, perhaps
  // the peer's, and written here it would outrank this agent's own file after an edit of
  // both.
  for (auto& [name, h] : hosts_) {
    json r{{"name", h.name}};
    bool own = seeded_.count(name) > 0;
    if (h.at.generation > 0 || !own)
      r.update({{"type", cfg::to_string(h.type)}, {"management", h.management},
                {"cluster_host", h.cluster_host}, {"present", h.present},
                {"stamp", stamp_json(h.at)}});
    if (h.started_at.generation > 0 || !own)
      r.update({{"monitored", h.monitored}, {"started_stamp", stamp_json(h.started_at)}});
    if (r.size() > 1)
      hosts.push_back(std::move(r));
  }
  json j{{"format", 2}, {"generation", generation_}, {"hosts", hosts}};
  if (designation_.at.generation > 0)
    j["designation"] = {{"value", designation_.value}, {"stamp", stamp_json(designation_.at)}};
  if (action_.at.generation > 0)
    j["action"] = {{"value", cfg::to_string(action_.value)}, {"stamp", stamp_json(action_.at)}};
  if (auto& t = tune_; t.at.generation > 0)
    j["tuning"] = {{"period_ms", t.value.period_ms}, {"minor", t.value.minor},
                   {"degrade", t.value.degrade}, {"loss", t.value.loss},
                   {"stamp", stamp_json(t.at)}};
  for (uint32_t n = 0; n < 2; ++n)
    if (locks_[n].at.generation > 0)
      j["locks"][std::to_string(n)] = {{"value", locks_[n].value},
                                       {"stamp", stamp_json(locks_[n].at)}};
  return j.dump(1);
}

namespace {

// The file's registers over `s` (a copy of the current state); throws on a malformed file.
// A host's registers as the file has them: format 1 has every field under one stamp (or two,
// as builds between the formats wrote); format 2 the registers changed at run time, and all
// of a host this agent's file does not name. A register at generation 0 of a host the file
// names is the file's own: the file's value stands. False: nothing to merge.
bool read_host(const json& h, int format, const std::map<std::string, host_record>& seeds,
               host_record& r) {
  r.name = h.at("name").get<std::string>();
  auto seed = seeds.find(r.name);
  bool seeded = seed != seeds.end();
  if (seeded)
    r = seed->second;
  const char* start_key = h.contains("started_stamp") ? "started_stamp"
                          : format == 1               ? "stamp"
                                                      : nullptr;
  if (!h.contains("stamp") && !h.contains("started_stamp"))
    throw std::runtime_error("host " + r.name + ": no register");
  auto taken = [&](const char* key) -> std::optional<stamp> {
    if (!key || !h.contains(key))
      return std::nullopt;
    auto st = stamp_of(h.at(key));
    return st.generation == 0 && seeded ? std::nullopt : std::optional<stamp>{st};
  };
  auto membership = taken("stamp");
  auto started = taken(start_key);
  if (membership) {
    if (!cfg::parse_host_type(h.at("type").get<std::string>(), r.type))
      throw std::runtime_error("host " + r.name + ": unknown type");
    r.management = h.at("management").get<std::string>();
    r.cluster_host = h.at("cluster_host").get<std::string>();
    r.present = h.at("present").get<bool>();
    r.at = *membership;
  }
  if (started) {
    r.monitored = h.at("monitored").get<bool>();
    r.started_at = *started;
  }
  if (!seeded && !membership) // only its start changed, and the file no longer names it
    return false;
  return membership || started;
}

void read_state(const json& j, const std::map<std::string, host_record>& seeds,
                control_snapshot& s) {
  auto format = whole<int>(j.at("format"), "format");
  if (format != 1 && format != 2)
    throw std::runtime_error("unknown format " + j.at("format").dump());
  s.generation = whole<uint64_t>(j.at("generation"), "generation");
  auto positive = [](const stamp& st) {
    if (st.generation == 0)
      throw std::runtime_error("a run-time change with generation 0");
    return st;
  };
  for (auto& h : j.at("hosts")) {
    host_record r;
    if (read_host(h, format, seeds, r))
      s.hosts.push_back(std::move(r));
  }
  if (j.contains("designation"))
    s.designation = {j["designation"].at("value").get<std::string>(),
                     positive(stamp_of(j["designation"].at("stamp")))};
  if (j.contains("action")) {
    if (!cfg::parse_failure_action(j["action"].at("value").get<std::string>(), s.action.value))
      throw std::runtime_error("unknown failure action " + j["action"].at("value").dump());
    s.action.at = positive(stamp_of(j["action"].at("stamp")));
  }
  if (j.contains("tuning")) {
    auto& t = j["tuning"];
    s.tune = {{whole<uint32_t>(t.at("period_ms"), "period_ms"),
               whole<uint32_t>(t.at("minor"), "minor"),
               whole<uint32_t>(t.at("degrade"), "degrade"),
               whole<uint32_t>(t.at("loss"), "loss")},
              positive(stamp_of(t.at("stamp")))};
  }
  if (j.contains("locks"))
    for (auto& [key, l] : j["locks"].items()) {
      if (key != "0" && key != "1")
        throw std::runtime_error("lock of controller " + key);
      s.locks[key == "1"] = {l.at("value").get<bool>(), positive(stamp_of(l.at("stamp")))};
    }
}

std::string describe(const control_state& cs, const std::string& name) {
  auto* h = cs.present(name);
  if (!h)
    return "absent";
  return fmt::format("{} {}{}, {}{}", cfg::to_string(h->type), h->management,
                     h->cluster_host.empty() ? "" : " " + h->cluster_host,
                     h->monitored ? "monitored" : "not monitored",
                     cs.holds(*h) ? "" : " (eclipsed: a newer host holds its address)");
}

} // namespace

bool control_state::load(const std::string& text, std::string& error,
                         std::vector<std::string>& notes) {
  auto s = delta({});
  try {
    read_state(json::parse(text), hosts_, s);
  } catch (const std::exception& e) {
    error = std::string{"not a valid state file: "} + e.what();
    return false;
  }
  auto seed = *this;
  std::vector<std::string> far;
  auto ch = merge(s, error, far, 0, true);
  if (!ch)
    return false;
  for (auto& c : ch->settled)
    notes.push_back(c.why + " (run time and file merged)");
  for (auto& name : ch->hosts)
    notes.push_back(fmt::format("host {}: {} (run time) wins over {} (file)", name,
                                describe(*this, name), describe(seed, name)));
  if (ch->designation)
    notes.push_back(fmt::format("designation {} (run time) wins over {} (file)",
                                designation_.value, seed.designation_.value));
  if (ch->action)
    notes.push_back(fmt::format("failure action {} (run time) wins over {} (file)",
                                cfg::to_string(action_.value),
                                cfg::to_string(seed.action_.value)));
  if (ch->tune) {
    auto show = [](const tuning& t) {
      return fmt::format("period {} ms, thresholds {}/{}/{}", t.period_ms, t.minor, t.degrade,
                         t.loss);
    };
    notes.push_back(fmt::format("{} (run time) wins over {} (file)", show(tune_.value),
                                show(seed.tune_.value)));
  }
  if (ch->own_lock)
    notes.push_back(fmt::format("operator lock {} (run time)", locked(number_) ? "on" : "off"));
  return true;
}

} // namespace hbs
