#include <doctest/doctest.h>

#include <fmt/format.h>

#include "actors/mnfa_logic.hpp"

using namespace hbs;

namespace {

std::string h(int i) { return fmt::format("worker-{}", i); }

} // namespace

TEST_CASE("MNFA enters when the second host of a network is in the tally") {
  mnfa_logic m;
  CHECK(m.add(h(1), 0, 40).step == mnfa_step::none);
  auto d = m.add(h(2), 0, 40);
  CHECK(d.step == mnfa_step::enter);
  CHECK(d.tally == 2);
  CHECK(d.threshold == 2);
  CHECK(d.hosts == std::vector<std::string>{h(1), h(2)});
  CHECK(m.active());
  CHECK(m.occurrences() == 1);
  CHECK(m.add(h(3), 0, 40).step == mnfa_step::none); // joins the pool while active
  CHECK(m.pooled(h(3)));
}

TEST_CASE("tallies are per network: one host on each does not enter") {
  mnfa_logic m;
  m.add(h(1), 0, 40);
  CHECK(m.add(h(2), 1, 40).step == mnfa_step::none);
  CHECK_FALSE(m.active());
}

TEST_CASE("a percentage threshold is a share of the monitored hosts and never below 2") {
  mnfa_logic m{{2, 50, 0}};
  CHECK(m.threshold(40) == 20);
  CHECK(m.threshold(3) == 2);
  CHECK(m.threshold(41) == 21); // rounded up
  for (int i = 0; i < 19; ++i)
    CHECK(m.add(h(i), 0, 40).step == mnfa_step::none);
  CHECK(m.add(h(19), 0, 40).step == mnfa_step::enter);
}

TEST_CASE("while MNFA is active a loss is not a failure") {
  mnfa_logic m;
  CHECK_FALSE(m.note_loss(h(9))); // alone: fail it
  m.add(h(1), 0, 40);
  m.add(h(2), 0, 40);
  CHECK(m.note_loss(h(1)));
}

TEST_CASE("a host answering again leaves the pool; the tally falling below exits gracefully") {
  mnfa_logic m{{3, 0, 0}};
  for (int i = 1; i <= 4; ++i)
    m.add(h(i), 0, 40);
  REQUIRE(m.active());
  auto d = m.remove(h(1), 0, 40); // 3 left: still at the threshold
  CHECK(d.step == mnfa_step::left_pool);
  CHECK(d.hosts == std::vector<std::string>{h(1)});
  CHECK_FALSE(m.pooled(h(1)));
  m.note_loss(h(4));
  d = m.remove(h(2), 0, 40); // 2 left: below 3
  CHECK(d.step == mnfa_step::exit_graceful);
  CHECK(d.hosts == std::vector<std::string>{h(2), h(3), h(4)});
  CHECK(d.still_missing == std::vector<std::string>{h(3), h(4)});
  CHECK(d.still_lost == std::vector<std::string>{h(4)}); // to be failed now, not left stuck
  CHECK_FALSE(m.active());
  CHECK(m.tally(0) == 0);
  CHECK(m.pool().empty());
}

TEST_CASE("a timeout forces the exit and names the pooled hosts still missing") {
  mnfa_logic m{{2, 0, 100}};
  m.add(h(1), 0, 10);
  m.add(h(2), 0, 10);
  m.add(h(3), 1, 10);
  m.remove(h(3), 1, 10);
  auto d = m.timeout();
  CHECK(d.step == mnfa_step::exit_forced);
  CHECK(d.still_missing == std::vector<std::string>{h(1), h(2)});
  CHECK(m.timeout().step == mnfa_step::none); // nothing to force twice
}

TEST_CASE("cancel empties the pool and MNFA can be entered again") {
  mnfa_logic m;
  m.add(h(1), 0, 10);
  m.add(h(2), 0, 10);
  CHECK(m.cancel().step == mnfa_step::cancel);
  CHECK_FALSE(m.active());
  m.add(h(1), 0, 10);
  CHECK(m.add(h(2), 0, 10).step == mnfa_step::enter);
  CHECK(m.occurrences() == 2);
}

TEST_CASE("a stopped host is forgotten by every tally and the pool") {
  mnfa_logic m;
  m.add(h(1), 0, 10);
  m.add(h(2), 0, 10);
  m.forget(h(2));
  CHECK(m.tally(0) == 1);
  CHECK_FALSE(m.pooled(h(2)));
}
