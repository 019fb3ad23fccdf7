#include "actors/link_quality.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace hbs {

namespace {

template <class T>
void add_saturating(T& x, uint64_t v) {
  x = static_cast<T>(std::min<uint64_t>(uint64_t{x} + v, std::numeric_limits<T>::max()));
}

double percent(uint64_t missed, uint64_t periods) {
  return periods == 0 ? -1.0 : 100.0 * static_cast<double>(missed) / static_cast<double>(periods);
}

} // namespace

int64_t rtt_quantile_us(const uint32_t* counts, size_t n, double q, int64_t max_us) {
  uint64_t total = 0;
  for (size_t b = 0; b < n; ++b)
    total += counts[b];
  if (total == 0)
    return -1;
  auto want = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  want = std::max<uint64_t>(want, 1);
  uint64_t seen = 0;
  for (size_t b = 0; b < n; ++b)
    if ((seen += counts[b]) >= want)
      return std::min(link_quality::bucket_value_us(static_cast<int>(b)), max_us);
  return max_us;
}

int link_quality::bucket_of(int64_t us) {
  if (us < 16)
    return 0;
  // Two buckets per power of two: floor(2 log2(us / 16)) in integers (once per response):
  // 2e, plus one when us is at or above 2^e sqrt(2), i.e. us^2 >= 2^(2e + 1).
  auto u = static_cast<uint64_t>(std::min<int64_t>(us, int64_t{1} << 31)); // past the top
  int e = 63 - __builtin_clzll(u);
  int half = u * u >= (uint64_t{1} << (2 * e + 1)) ? 1 : 0;
  return std::clamp(2 * e + half - 8, 0, num_buckets - 1);
}

int64_t link_quality::bucket_value_us(int b) {
  return static_cast<int64_t>(std::llround(16.0 * std::exp2((b + 0.5) / 2.0)));
}

namespace {

uint32_t slice_id(int64_t now_ms, int64_t width_ms) {
  return static_cast<uint32_t>(now_ms / width_ms + 1);
}

// The ring's slot for slice `id`, started afresh when it last held an older slice; null
// when it holds a newer one (`id` has left the ring's window).
template <class Ring>
auto* slot_of(Ring& ring, uint32_t id) {
  auto& s = ring[id % ring.size()];
  if (s.id > id)
    return static_cast<typename Ring::value_type*>(nullptr);
  if (s.id != id)
    s = typename Ring::value_type{id};
  return &s;
}

// Slice `id` of width `width_ms` is in the ring's window ending now.
bool in_window(uint32_t id, size_t ring_size, int64_t now_ms, int64_t width_ms) {
  auto now_id = slice_id(now_ms, width_ms);
  return id != 0 && id <= now_id && now_id - id < ring_size;
}

// The hour slice a 10 s slice lies in (both count from the clock's zero).
uint32_t hour_of(uint32_t id, int64_t slice_ms, int64_t hour_slice_ms) {
  return static_cast<uint32_t>((int64_t{id} - 1) * slice_ms / hour_slice_ms + 1);
}

} // namespace

link_quality::link_quality(const link_quality& other)
  : tally_(other.tally_), b2b_(other.b2b_), num_flaps_(other.num_flaps_),
    past_(other.past_ ? std::make_unique<history>(*other.past_) : nullptr) {
}

link_quality& link_quality::operator=(const link_quality& other) {
  if (this != &other)
    *this = link_quality{other};
  return *this;
}

link_quality::~link_quality() = default;

link_quality::history& link_quality::past() {
  if (!past_)
    past_ = std::make_unique<history>();
  return *past_;
}

link_quality::slice& link_quality::current(int64_t now_ms) {
  auto id = slice_id(now_ms, slice_ms);
  auto& slices = past().slices;
  auto& s = slices[id % slices.size()];
  if (s.id != id)
    s = slice{id};
  return s;
}

bool link_quality::live(const slice& s, int64_t now_ms) {
  return in_window(s.id, num_slices, now_ms, slice_ms);
}

bool link_quality::tally_live(int64_t now_ms) const {
  return in_window(tally_.id, num_slices, now_ms, slice_ms);
}

bool link_quality::tally_live_hour(int64_t now_ms) const {
  return tally_.id != 0 && in_window(hour_of(tally_.id, slice_ms, hour_slice_ms),
                                     num_hour_slices, now_ms, hour_slice_ms);
}

void link_quality::flush() {
  static_assert(offsetof(link_quality, past_) == hot_bytes, "the hot part is the front");
  if (tally_.id == 0)
    return;
  auto& h = past();
  if (auto* s = slot_of(h.slices, tally_.id)) {
    add_saturating(s->periods, tally_.periods);
    add_saturating(s->missed, tally_.missed);
  }
  if (auto* hs = slot_of(h.hours, hour_of(tally_.id, slice_ms, hour_slice_ms))) {
    add_saturating(hs->periods, tally_.periods);
    add_saturating(hs->missed, tally_.missed);
  }
  tally_ = {};
}

void link_quality::note_rtt(int64_t us, int64_t now_ms) {
  if (us < 0)
    return; // clocks stepped between send and receive: no figure rather than a wrong one
  auto& s = current(now_ms);
  add_saturating(s.counts[static_cast<size_t>(bucket_of(us))], 1);
  s.max_us = static_cast<uint32_t>(std::max<int64_t>(s.max_us, std::min<int64_t>(us, UINT32_MAX)));
}

void link_quality::prefetch_rtt(int64_t now_ms) const {
  if (!past_)
    return;
  auto& s = past_->slices[slice_id(now_ms, slice_ms) % num_slices];
  __builtin_prefetch(&s, 1);
  __builtin_prefetch(reinterpret_cast<const char*>(&s) + sizeof s - 1, 1); // may span two lines
}

void link_quality::note_period(bool answered, int64_t now_ms, uint32_t flap_misses) {
  if (auto id = slice_id(now_ms, slice_ms); tally_.id != id) {
    flush();
    tally_.id = id;
  }
  add_saturating(tally_.periods, 1);
  if (answered) {
    b2b_ = 0;
    return;
  }
  add_saturating(tally_.missed, 1);
  if (++b2b_ == flap_misses)
    ++num_flaps_;
}

void link_quality::add_histogram(std::array<uint32_t, num_buckets>& into, int64_t& max_us,
                                 int64_t now_ms) const {
  if (!past_)
    return;
  for (auto& s : past_->slices) {
    if (!live(s, now_ms))
      continue;
    for (int b = 0; b < num_buckets; ++b)
      into[static_cast<size_t>(b)] += s.counts[static_cast<size_t>(b)];
    max_us = std::max<int64_t>(max_us, s.max_us);
  }
}

link_figures link_quality::figures(int64_t now_ms) const {
  link_figures f;
  std::array<uint32_t, num_buckets> counts{};
  int64_t max_us = -1;
  add_histogram(counts, max_us, now_ms);
  uint64_t n = 0;
  for (auto c : counts)
    n += c;
  if (n > 0) {
    f.rtt_p50_us = rtt_quantile_us(counts.data(), counts.size(), 0.5, max_us);
    f.rtt_p99_us = rtt_quantile_us(counts.data(), counts.size(), 0.99, max_us);
    f.rtt_max_us = max_us;
    f.num_rtt = static_cast<uint32_t>(n);
  }
  // The tally is counted beside the slices (its periods are in none of them yet).
  uint64_t periods = 0, missed = 0;
  static const history none{};
  const auto& past = past_ ? *past_ : none;
  for (auto& s : past.slices)
    if (live(s, now_ms)) {
      periods += s.periods;
      missed += s.missed;
    }
  if (tally_live(now_ms)) {
    periods += tally_.periods;
    missed += tally_.missed;
  }
  f.loss_1m_pct = percent(missed, periods);
  periods = missed = 0;
  for (auto& h : past.hours)
    if (in_window(h.id, num_hour_slices, now_ms, hour_slice_ms)) {
      periods += h.periods;
      missed += h.missed;
    }
  if (tally_live_hour(now_ms)) {
    periods += tally_.periods;
    missed += tally_.missed;
  }
  f.loss_1h_pct = percent(missed, periods);
  f.num_flaps = num_flaps_;
  return f;
}

} // namespace hbs
