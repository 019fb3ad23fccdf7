#include <doctest/doctest.h>

#include "actors/alarm_table.hpp"

using namespace hbs;

TEST_CASE("a heartbeat alarm is raised MAJOR, escalates to CRITICAL, never back to MAJOR") {
  alarm_table t;
  CHECK(t.raise("200.005", "worker-1", severity::major, 1) == alarm_change::raised);
  CHECK(t.raise("200.005", "worker-1", severity::major, 2) == alarm_change::none);
  CHECK(t.raise("200.005", "worker-1", severity::critical, 3) == alarm_change::escalated);
  CHECK(t.raise("200.005", "worker-1", severity::major, 4) == alarm_change::none);
  auto* a = t.find("200.005", "worker-1");
  REQUIRE(a != nullptr);
  CHECK(a->level == severity::critical);
  CHECK(a->raised_ms == 1);
  CHECK(a->entity == "host=worker-1.network=Management");
  CHECK(a->reason.find("persistent critical 'Management'") != std::string::npos);
  CHECK(t.clear("200.005", "worker-1") == alarm_change::cleared);
  CHECK(t.clear("200.005", "worker-1") == alarm_change::none);
  CHECK(t.raise("200.005", "worker-1", severity::major, 5) == alarm_change::raised);
}

TEST_CASE("bulk and per-host clears remove every alarm id they cover") {
  alarm_table t;
  t.raise(alarm_id(0), "a", severity::major, 0);
  t.raise(alarm_id(1), "a", severity::critical, 0);
  t.raise(pmond_alarm_id, "b", severity::major, 0);
  CHECK(t.clear_host("a").size() == 2);
  CHECK(t.size() == 1);
  CHECK(t.clear_all().size() == 1);
  CHECK(t.size() == 0);
}

TEST_CASE("the persisted JSON round-trips and bad files are refused whole") {
  alarm_table t;
  t.raise("200.009", "storage-0", severity::critical, 123);
  t.raise("200.006", "worker-2", severity::major, 456);
  alarm_table u;
  std::string err;
  REQUIRE(u.from_json(t.to_json(), err));
  CHECK(u.size() == 2);
  CHECK(u.find("200.009", "storage-0")->level == severity::critical);
  CHECK(u.find("200.006", "worker-2")->raised_ms == 456);
  CHECK_FALSE(u.from_json("{broken", err));
  CHECK_FALSE(u.from_json(R"({"version":1,"alarms":[{"id":"200.005","host":"x",)"
                          R"("severity":"minor"}]})", err));
  CHECK(err.find("allowed major | critical") != std::string::npos);
  // fuzz/corpus/state_files/regress-alarm-raised-ms-huge: a time past int64_t, and a fraction
  for (auto raised : {"20071994705429954819", "1.5", "-1e300"}) {
    CAPTURE(raised);
    CHECK_FALSE(u.from_json(std::string{R"({"version":1,"alarms":[{"id":"200.005",)"}
                            + R"("host":"worker-4","severity":"major","raised_ms":)" + raised
                            + "}]}", err));
    CHECK(err.find("raised_ms") != std::string::npos);
  }
  CHECK(u.size() == 2); // unchanged by the failed loads
}
