#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "actors/events.hpp"
#include "tests/support/caf_fixture.hpp"

using namespace hbs;
using namespace hbs::test;
namespace fs = std::filesystem;

namespace {

struct rotating_events : caf_fixture {
  fs::path dir = fs::temp_directory_path() / ("hbs-events-" + std::to_string(getpid()));
  std::string path = (dir / "events.jsonl").string();
  events_actor events;

  rotating_events() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    events = sys.spawn(events_fn, events_setup{path, 100, 2000, 2, nullptr, {}});
  }
  ~rotating_events() {
    caf::anon_send_exit(events, caf::exit_reason::user_shutdown);
    run();
    fs::remove_all(dir);
  }

  // A host flapping: minor set and clear, numbered in `detail`.
  void flap(int n) {
    for (int i = 0; i < n; ++i) {
      self->send(events, event{i % 2 ? "minor_clear" : "minor_set", "controller-0", "worker-3",
                               "management", 4, std::to_string(i), 0, 0, true, 0});
      run();
    }
  }

  // The event numbers in one file, each line checked to be one whole JSON record.
  std::vector<int> numbers(const std::string& file) {
    std::ifstream in{file};
    std::vector<int> out;
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      REQUIRE_MESSAGE(!j.is_discarded(), "a torn record in " << file << ": " << line);
      REQUIRE(j.contains("kind"));
      REQUIRE(j.contains("epoch"));
      out.push_back(std::stoi(j["detail"].get<std::string>()));
    }
    return out;
  }
};

} // namespace

TEST_CASE_FIXTURE(rotating_events, "a flapping host cannot fill the disk: events rotate at the "
                                   "size limit, two old files kept, no record torn") {
  flap(300); // ~60 KB of records against a 2,000-byte limit
  CHECK(fs::exists(path));
  CHECK(fs::exists(path + ".1"));
  CHECK(fs::exists(path + ".2"));
  CHECK_FALSE(fs::exists(path + ".3"));
  for (auto f : {path, path + ".1", path + ".2"})
    CHECK(fs::file_size(f) <= 2000);
  // The newest events, in order and without a gap, across the rotation.
  std::vector<int> all;
  for (auto f : {path + ".2", path + ".1", path}) {
    auto n = numbers(f);
    CHECK(!n.empty());
    all.insert(all.end(), n.begin(), n.end());
  }
  REQUIRE(!all.empty());
  CHECK(all.back() == 299);
  for (size_t i = 1; i < all.size(); ++i)
    CHECK(all[i] == all[i - 1] + 1);
  // The ring hbsctl reads still holds the newest 100.
  auto ring = ask<std::vector<event>>(events, events_atom_v, 1000u);
  REQUIRE(ring.size() == 100);
  CHECK(ring.back().detail == "299");
}

TEST_CASE_FIXTURE(rotating_events, "after a restart hbsctl events shows the events from before "
                                   "it, across the rotation") {
  flap(300);
  caf::anon_send_exit(events, caf::exit_reason::user_shutdown);
  run();
  auto restarted = sys.spawn(events_fn, events_setup{path, 100, 2000, 2, nullptr, {}});
  run();
  auto ring = ask<std::vector<event>>(restarted, events_atom_v, 1000u);
  auto in_files = numbers(path).size() + numbers(path + ".1").size();
  REQUIRE(ring.size() == std::min<size_t>(100, in_files));
  CHECK(ring.back().detail == "299");
  CHECK(ring.back().kind == "minor_clear");
  CHECK(ring.back().host == "worker-3");
  for (size_t i = 1; i < ring.size(); ++i)
    CHECK(std::stoi(ring[i].detail) == std::stoi(ring[i - 1].detail) + 1);
  caf::anon_send_exit(restarted, caf::exit_reason::user_shutdown);
  run();
}

TEST_CASE_FIXTURE(rotating_events, "after SIGHUP the events go to a new file where an outside "
                                   "logrotate moved the old one") {
  flap(2);
  fs::rename(path, path + ".moved"); // logrotate without copytruncate
  flap(1);                           // still the open file, now under its new name
  self->send(events, reload_atom_v);
  run();
  flap(3);
  CHECK(numbers(path + ".moved") == std::vector<int>{0, 1, 0});
  CHECK(numbers(path) == std::vector<int>{0, 1, 2});
}
