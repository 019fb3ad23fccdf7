#pragma once
// Link quality of one host on one network (issue 14 §2), as Corosync shows per link: the
// round trip from the request leaving to the response's kernel receive time, kept as a small
// log-scale histogram per 10 s slice, so p50/p99/max cover the last minute; the share of
// periods without an answer over the last minute and the last hour; and flaps, the times
// the link went from answering to `flap_misses` periods missed in a row. Pure, no CAF;
// times are milliseconds on one monotonic clock. ~0.5 KB per host and network.
// A period's count goes to a 16-byte tally at the front, moved into the slices when the
// 10 s slice changes: a network judges every host every period, and touching two scattered
// slices per host per period was ~5 MB of cache lines per period at 10,000 hosts. The slices
// live apart (one allocation per link, made on first use), so the object a network keeps
// per host is 24 bytes and its hosts' slots pack into one cache line each.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace hbs {

struct link_figures {
  int64_t rtt_p50_us = -1; // -1: no round trip measured in the last minute
  int64_t rtt_p99_us = -1;
  int64_t rtt_max_us = -1;
  uint32_t num_rtt = 0;      // round trips measured in the last minute
  double loss_1m_pct = -1;   // -1: no period judged in that window
  double loss_1h_pct = -1;
  uint32_t num_flaps = 0;    // since the host was added
};

// The round trip below which a share q of a histogram's samples lie (its bucket's middle,
// capped by the largest seen); -1 for an empty histogram.
int64_t rtt_quantile_us(const uint32_t* counts, size_t n, double q, int64_t max_us);

class link_quality {
public:
  // Buckets grow by sqrt(2) from 16 µs; the last one holds everything from ~185 ms up.
  static constexpr int num_buckets = 28;
  // Bytes at the front that every judged period reads and writes (the tally, back-to-back
  // misses, flaps); the slices behind them are touched per round trip and per 10 s.
  static constexpr size_t hot_bytes = 16;
  static int bucket_of(int64_t us);
  static int64_t bucket_value_us(int b); // what a bucket reports: its geometric middle

  link_quality() = default;
  link_quality(const link_quality& other);
  link_quality& operator=(const link_quality& other);
  link_quality(link_quality&&) noexcept = default;
  link_quality& operator=(link_quality&&) noexcept = default;
  ~link_quality();

  void note_rtt(int64_t us, int64_t now_ms);
  // Starts loading the slice note_rtt(_, now_ms) writes (it lives apart: otherwise a miss
  // per round trip noted); nothing when no history is allocated yet.
  void prefetch_rtt(int64_t now_ms) const;
  // One judged period: whether the host answered in it.
  void note_period(bool answered, int64_t now_ms, uint32_t flap_misses);
  link_figures figures(int64_t now_ms) const;
  // Adds this link's last-minute histogram to `into` (a network's aggregate).
  void add_histogram(std::array<uint32_t, num_buckets>& into, int64_t& max_us,
                     int64_t now_ms) const;

private:
  static constexpr size_t num_slices = 6;       // of slice_ms: the last minute
  static constexpr size_t num_hour_slices = 12; // of hour_slice_ms: the last hour
  static constexpr int64_t slice_ms = 10'000;   // 6 slices: the last minute
  static constexpr int64_t hour_slice_ms = 300'000; // 12 slices: the last hour
  static_assert(hour_slice_ms % slice_ms == 0, "a slice lies within one hour slice");
  struct slice {
    uint32_t id = 0; // now_ms / slice_ms + 1; 0: unused
    uint16_t periods = 0;
    uint16_t missed = 0;
    uint32_t max_us = 0;
    std::array<uint16_t, num_buckets> counts{};
  };
  struct hour_slice {
    uint32_t id = 0;
    uint16_t periods = 0;
    uint16_t missed = 0;
  };
  struct tally { // the current slice's periods, not yet in the history
    uint32_t id = 0;
    uint16_t periods = 0;
    uint16_t missed = 0;
  };
  struct history { // touched per round trip, per 10 s and per query, not per period
    std::array<slice, num_slices> slices{};
    std::array<hour_slice, num_hour_slices> hours{};
  };
  history& past(); // allocated on first use
  slice& current(int64_t now_ms);
  static bool live(const slice& s, int64_t now_ms);
  void flush(); // the tally into its slice and hour slice
  bool tally_live(int64_t now_ms) const;
  bool tally_live_hour(int64_t now_ms) const;

  // Read and written every period: first, so a host's slot can keep them in its hot line.
  tally tally_;
  uint32_t b2b_ = 0;
  uint32_t num_flaps_ = 0;
  std::unique_ptr<history> past_; // null: nothing flushed or measured yet
};

} // namespace hbs
