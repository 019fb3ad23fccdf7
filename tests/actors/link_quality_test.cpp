#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "actors/link_quality.hpp"

using hbs::link_quality;

TEST_CASE("round-trip buckets grow by the square root of two and report their middle") {
  CHECK(link_quality::bucket_of(0) == 0);
  CHECK(link_quality::bucket_of(15) == 0);
  CHECK(link_quality::bucket_of(16) == 0);
  CHECK(link_quality::bucket_of(23) == 1);
  CHECK(link_quality::bucket_of(32) == 2);
  CHECK(link_quality::bucket_of(1000) == 11);
  CHECK(link_quality::bucket_of(10'000'000) == link_quality::num_buckets - 1);
  for (int b = 0; b < link_quality::num_buckets; ++b)
    CHECK(link_quality::bucket_of(link_quality::bucket_value_us(b)) == b);
  // A reported value is within a fifth of any round trip of its bucket.
  for (int64_t us : {20, 100, 333, 1000, 4096, 77'000})
    CHECK(std::abs(link_quality::bucket_value_us(link_quality::bucket_of(us)) - us) <= us / 5);
}

TEST_CASE("the bucket of a round trip is floor(2 log2(us / 16)), computed in integers") {
  // The edges, exactly: us at or above 16 * 2^(k/2) is in bucket k (k below the top).
  for (int k = 1; k < link_quality::num_buckets; ++k) {
    long double edge = 16.0L * std::pow(2.0L, k / 2.0L);
    auto below = static_cast<int64_t>(std::ceil(edge)) - 1;
    CHECK(link_quality::bucket_of(below) == k - 1);
    CHECK(link_quality::bucket_of(below + 1) == k);
  }
  CHECK(link_quality::bucket_of(INT64_MAX) == link_quality::num_buckets - 1);
  CHECK(link_quality::bucket_of(-5) == 0);
}

TEST_CASE("a link's p50, p99 and max cover the last minute only") {
  link_quality q;
  int64_t t = 1'000'000;
  for (int i = 0; i < 98; ++i)
    q.note_rtt(200, t + i * 100);
  q.note_rtt(5'000, t + 9'800);
  q.note_rtt(40'000, t + 9'900);
  auto f = q.figures(t + 10'000);
  CHECK(f.num_rtt == 100);
  CHECK(f.rtt_p50_us == link_quality::bucket_value_us(link_quality::bucket_of(200)));
  CHECK(f.rtt_p99_us == link_quality::bucket_value_us(link_quality::bucket_of(5'000)));
  CHECK(f.rtt_max_us == 40'000);
  // A minute and more later that slice is gone: no figure, not a zero.
  auto later = q.figures(t + 70'000);
  CHECK(later.num_rtt == 0);
  CHECK(later.rtt_p50_us == -1);
  CHECK(later.rtt_max_us == -1);
}

TEST_CASE("a link's loss is the share of periods without an answer, over a minute and an hour") {
  link_quality q;
  int64_t t = 0;
  CHECK(q.figures(t).loss_1m_pct == -1); // nothing judged yet: unknown, not 0 %
  for (int i = 0; i < 600; ++i, t += 100) // a minute, one period in ten unanswered
    q.note_period(i % 10 != 0, t, 4);
  CHECK(q.figures(t).loss_1m_pct == doctest::Approx(10.0));
  for (int i = 0; i < 600 * 9; ++i, t += 100) // nine clean minutes
    q.note_period(true, t, 4);
  auto f = q.figures(t);
  CHECK(f.loss_1m_pct == doctest::Approx(0.0));
  CHECK(f.loss_1h_pct == doctest::Approx(1.0));
  CHECK(f.num_flaps == 0); // single misses are losses, not flaps
}

TEST_CASE("a flap is a link that answered and then missed enough periods in a row") {
  link_quality q;
  int64_t t = 0;
  auto run = [&](bool answered, int n) {
    for (int i = 0; i < n; ++i, t += 100)
      q.note_period(answered, t, 4);
  };
  run(true, 10);
  run(false, 3);
  run(true, 5);
  CHECK(q.figures(t).num_flaps == 0);
  run(false, 20); // one long outage is one flap
  CHECK(q.figures(t).num_flaps == 1);
  run(true, 5);
  run(false, 4);
  CHECK(q.figures(t).num_flaps == 2);
}

TEST_CASE("a negative round trip (a clock stepped back) is not recorded") {
  link_quality q;
  q.note_rtt(-5, 0);
  CHECK(q.figures(0).num_rtt == 0);
}

TEST_CASE("a network's histogram adds its links' last-minute counts") {
  link_quality a, b;
  a.note_rtt(100, 0);
  b.note_rtt(100, 0);
  b.note_rtt(3'000, 0);
  std::array<uint32_t, link_quality::num_buckets> all{};
  int64_t max_us = -1;
  a.add_histogram(all, max_us, 1'000);
  b.add_histogram(all, max_us, 1'000);
  CHECK(all[static_cast<size_t>(link_quality::bucket_of(100))] == 2);
  CHECK(all[static_cast<size_t>(link_quality::bucket_of(3'000))] == 1);
  CHECK(max_us == 3'000);
}

TEST_CASE("periods kept in the current slice's tally count at once and leave the minute on time") {
  link_quality q;
  int64_t t = 5'000;
  for (int i = 0; i < 50; ++i, t += 100) // the first 10 s: half the periods unanswered
    q.note_period(i % 2 == 0, t, 100);
  CHECK(q.figures(t).loss_1m_pct == doctest::Approx(50.0)); // still in the tally
  for (int i = 0; i < 50; ++i, t += 100) // the next 10 s all answered: the first leave the tally
    q.note_period(true, t, 100);
  CHECK(q.figures(t).loss_1m_pct == doctest::Approx(25.0));
  // 55 s after the first 10 s ended (no period judged since) they have left the minute, not
  // the hour; the second 10 s, still in the tally, are in both.
  auto f = q.figures(65'000);
  CHECK(f.loss_1m_pct == doctest::Approx(0.0));
  CHECK(f.loss_1h_pct == doctest::Approx(25.0));
  // Past the hour of both, nothing is known: unknown, not 0 %.
  CHECK(q.figures(3'700'000).loss_1h_pct == -1);
}

TEST_CASE("a tally older than its slice's place in the ring is dropped, not added to a newer one") {
  link_quality q;
  q.note_period(false, 1'000, 100); // slice 1, in the tally
  q.note_rtt(300, 61'000);          // slice 7 takes slice 1's place in the ring
  q.note_period(true, 61'100, 100); // slice 1's tally is flushed: too old for the ring
  auto f = q.figures(61'200);
  CHECK(f.loss_1m_pct == doctest::Approx(0.0)); // the new slice's one answered period only
  CHECK(f.num_rtt == 1);
  CHECK(f.loss_1h_pct == doctest::Approx(50.0)); // the hour still has the missed period
}

TEST_CASE("a copied link keeps its own history and a new link reports none") {
  link_quality fresh;
  auto none = fresh.figures(5'000);
  CHECK(none.num_rtt == 0);
  CHECK(none.rtt_p50_us == -1);
  CHECK(none.loss_1m_pct == -1);
  CHECK(none.loss_1h_pct == -1);

  link_quality a;
  int64_t t = 1'000'000;
  a.note_rtt(500, t);
  for (int i = 0; i < 200; ++i) // past a 10 s slice: the tally moves into the history
    a.note_period(i % 2 == 0, t + i * 100, 4);
  link_quality b = a;
  b.note_rtt(900, t + 20'000);
  for (int i = 0; i < 100; ++i)
    b.note_period(false, t + 20'000 + i * 100, 4);
  auto fa = a.figures(t + 20'000);
  auto fb = b.figures(t + 30'000);
  CHECK(fa.num_rtt == 1);
  CHECK(fa.loss_1m_pct == doctest::Approx(50.0));
  CHECK(fb.num_rtt == 2);
  CHECK(fb.loss_1m_pct == doctest::Approx(100.0 * 200 / 300));
  a = b;
  CHECK(a.figures(t + 30'000).num_rtt == 2);
  link_quality moved = std::move(b);
  CHECK(moved.figures(t + 30'000).num_rtt == 2);
}
