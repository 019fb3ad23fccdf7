// control.json: what is written (registers changed at run time, hosts the own file does not
// name), what is read back over the file's seed, older formats, corrupt files.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "actors/control_state.hpp"
#include "tests/support/control_state_helpers.hpp"

using namespace hbs;
using namespace hbs::test;

TEST_CASE("a deleted and a stopped host stay so over a restart, the file's other hosts too") {
  control_state cs{config(0)};
  auto del = record(cs, "worker-0");
  del.present = false;
  apply(cs, change_host(cs, del));
  auto stop = record(cs, "controller-1");
  stop.monitored = false;
  apply(cs, change_host(cs, stop));
  auto saved = cs.to_json();

  control_state again{config(0)};
  std::string err;
  std::vector<std::string> notes;
  REQUIRE(again.load(saved, err, notes));
  CHECK(again.find("worker-0") == nullptr);
  CHECK_FALSE(record(again, "controller-1").monitored);
  CHECK(record(again, "worker-1").at.generation == 0); // untouched: the file's
  CHECK(again.generation() == cs.generation());
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].find("controller-1") != std::string::npos);
  CHECK(notes[1] == "host worker-0: absent (run time) wins over worker 10.0.0.10, monitored "
                    "(file)");
}

TEST_CASE("a state file of the version before two host registers loads with one stamp for "
          "both") {
  control_state cs{config(0)};
  std::string err;
  std::vector<std::string> notes;
  REQUIRE(cs.load(R"({"format":1,"generation":5,"hosts":[{"name":"worker-0","type":"worker",
      "management":"10.0.0.10","cluster_host":"","present":true,"monitored":false,
      "stamp":{"generation":5,"origin":0}}]})", err, notes));
  CHECK(record(cs, "worker-0").at == stamp{5, 0});
  CHECK(record(cs, "worker-0").started_at == stamp{5, 0});
  CHECK_FALSE(record(cs, "worker-0").monitored);
  auto stop = record(cs, "worker-1");
  stop.monitored = false;
  apply(cs, change_host(cs, stop, 0, part::start)); // only its start register at run time
  control_state again{config(0)};
  REQUIRE(again.load(cs.to_json(), err, notes));
  CHECK_FALSE(record(again, "worker-1").monitored);
  CHECK(record(again, "worker-1").at.generation == 0);
  CHECK(again.to_json() == cs.to_json());
}

TEST_CASE("only registers changed at run time are written: a stop kept over a restart leaves "
          "the host's address to the edited file, alike on both agents") {
  control_state a{config(0)};
  control_state b{config(1, false)};
  apply(a, b.full()); // controller-1's seeds outrank controller-0's: {0, 1} on both
  auto stop = record(a, "worker-0");
  stop.monitored = false;
  auto d = change_host(a, stop, 1000, part::start);
  apply(a, d);
  apply(b, d);
  CHECK(a.to_json().find("10.0.0.10") == std::string::npos); // its address is the file's
  auto edit = [](cfg::agent_config c) {
    c.hosts[2].management = "10.0.0.30"; // worker-0 moved in both files
    return c;
  };
  control_state a2{edit(config(0))};
  control_state b2{edit(config(1, false))};
  std::string err;
  std::vector<std::string> notes;
  REQUIRE_MESSAGE(a2.load(a.to_json(), err, notes), err);
  REQUIRE_MESSAGE(b2.load(b.to_json(), err, notes), err);
  apply(a2, b2.full());
  apply(b2, a2.full());
  for (auto* cs : {&a2, &b2}) {
    CHECK(record(*cs, "worker-0").management == "10.0.0.30");
    CHECK_FALSE(record(*cs, "worker-0").monitored);
  }
  CHECK(a2.to_json() == b2.to_json());
}

TEST_CASE("a host only the peer's file names keeps all its registers over a restart") {
  auto with_x = config(0);
  with_x.hosts.push_back({"worker-x", cfg::host_type::worker, "10.0.0.50", "", true});
  control_state a{with_x};
  control_state b{config(1, false)};
  apply(b, a.full()); // b knows worker-x from a's file only: {0, 0}, started
  auto moved = record(b, "worker-x");
  moved.management = "10.0.0.51";
  apply(b, change_host(b, moved, 1000, part::membership)); // its start stays a's file's
  control_state b2{config(1, false)};
  std::string err;
  std::vector<std::string> notes;
  REQUIRE_MESSAGE(b2.load(b.to_json(), err, notes), err);
  REQUIRE(b2.find("worker-x") != nullptr);
  CHECK(record(b2, "worker-x").monitored);
  CHECK(record(b2, "worker-x").started_at == stamp{0, 0});
  auto stop = record(b2, "worker-x"); // an operator stops it; b restarts before the link
  stop.monitored = false;
  apply(b2, change_host(b2, stop, 2000, part::start));
  control_state b3{config(1, false)};
  REQUIRE_MESSAGE(b3.load(b2.to_json(), err, notes), err);
  REQUIRE(b3.find("worker-x") != nullptr);
  CHECK_FALSE(record(b3, "worker-x").monitored);
  CHECK(record(b3, "worker-x").management == "10.0.0.51");
  CHECK(b3.to_json() == b2.to_json());
}

TEST_CASE("a format-1 file with a stamp per register, as builds between the formats wrote, "
          "loads each register by its own stamp") {
  control_state cs{config(0)};
  std::string err;
  std::vector<std::string> notes;
  REQUIRE_MESSAGE(cs.load(R"({"format":1,"generation":9,"hosts":[
      {"name":"worker-0","type":"worker","management":"10.0.0.10","cluster_host":"",
       "present":true,"monitored":false,"stamp":{"generation":0,"origin":0},
       "started_stamp":{"generation":7,"origin":1}},
      {"name":"worker-1","type":"worker","management":"10.0.0.21","cluster_host":"",
       "present":true,"monitored":true,"stamp":{"generation":9,"origin":0},
       "started_stamp":{"generation":2,"origin":0}}]})", err, notes), err);
  CHECK_FALSE(record(cs, "worker-0").monitored); // its stop; the membership is the file's
  CHECK(record(cs, "worker-0").at == stamp{0, 0});
  CHECK(record(cs, "worker-1").management == "10.0.0.21");
  CHECK(record(cs, "worker-1").started_at == stamp{2, 0}); // not raised to the other's 9
}

TEST_CASE("a corrupt or invalid state file is refused whole and changes nothing") {
  control_state cs{config(0)};
  for (std::string bad :
       {"", "{", "[]", R"({"format":3,"generation":1,"hosts":[]})",
        R"({"format":2,"generation":1,"hosts":[{"name":"worker-0"}]})",
        R"({"format":1,"generation":1,"hosts":[{"name":"x"}]})",
        R"({"format":1,"generation":3,"hosts":[{"name":"bad name","type":"worker",
            "management":"10.0.0.9","cluster_host":"","present":true,"monitored":true,
            "stamp":{"generation":2,"origin":0}}]})",
        R"({"format":1,"generation":3,"hosts":[{"name":"w9","type":"worker",
            "management":"10.0.0.1","cluster_host":"","present":true,"monitored":true,
            "stamp":{"generation":2,"origin":0}}]})", // this controller's own address
        R"({"format":1,"generation":3,"hosts":[],"action":{"value":"explode",
            "stamp":{"generation":2,"origin":0}}})",
        R"({"format":1,"generation":3,"hosts":[],"tuning":{"period_ms":0,"minor":4,
            "degrade":6,"loss":10,"stamp":{"generation":2,"origin":0}}})",
        R"({"format":1,"generation":3,"hosts":[],"designation":{"value":"controller-7",
            "stamp":{"generation":2,"origin":0}}})",
        R"({"format":1,"generation":9007199254740992,"hosts":[]})",
        // fuzz/corpus/state_files/regress-control-format-float: a float too big for the
        // integer it was read into (undefined behaviour before)
        R"({"format":19007199254740992740992,"generation":0,"hosts":[]})",
        R"({"format":1,"generation":-3,"hosts":[]})",
        R"({"format":1.5,"generation":1,"hosts":[]})",
        R"({"format":1,"generation":3,"hosts":[],"tuning":{"period_ms":1e30,"minor":4,
            "degrade":6,"loss":10,"stamp":{"generation":2,"origin":0}}})"}) {
    CAPTURE(bad);
    std::string err;
    std::vector<std::string> notes;
    CHECK_FALSE(cs.load(bad, err, notes));
    CHECK_FALSE(err.empty());
    CHECK(err.find('\n') == std::string::npos);
  }
  CHECK(cs.hosts().size() == 4);
  CHECK(cs.generation() == 0);
}

