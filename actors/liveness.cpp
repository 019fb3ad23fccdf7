#include "actors/liveness.hpp"

namespace hbs {

liveness::liveness(thresholds t, bool minor_enabled, bool degrade_only)
  : t_(t), minor_enabled_(minor_enabled), degrade_only_(degrade_only) {
}

void liveness::restart() {
  *this = liveness{t_, minor_enabled_, degrade_only_};
}

transitions liveness::on_miss() {
  transitions out = tr_none;
  ++b2b_;
  ++num_misses_;
  consecutive_ = 0;
  if (b2b_ > max_b2b_)
    max_b2b_ = b2b_;
  if (b2b_ > 1 && b2b_ < t_.loss)
    out |= tr_miss;
  // At or above, not equal: a threshold lowered below the count fires at the next miss.
  if (minor_enabled_ && b2b_ >= t_.minor && !minor_) {
    minor_ = true;
    ++num_minor_;
    out |= tr_minor_set;
  }
  if (b2b_ >= t_.degrade && !degraded_) {
    degraded_ = true;
    ++num_degrade_;
    out |= tr_degrade_set;
  }
  bool first = loss_at_ == 0 && b2b_ >= t_.loss;
  if (first) {
    loss_at_ = b2b_;
    ++num_loss_;
  }
  if (first || (loss_at_ != 0 && (b2b_ - loss_at_) % loss_rereport == 0)) {
    out |= tr_loss;
    if (degrade_only_)
      out |= tr_degrade_only;
    else
      failed_ = true;
  }
  return out;
}

transitions liveness::on_response() {
  transitions out = tr_none;
  ++num_pulses_;
  ++consecutive_;
  if (consecutive_ == 1)
    out |= tr_start;
  if (consecutive_ == t_.loss)
    out |= tr_pass;
  if (failed_) {
    // Level-triggered recovery: nothing clears until enough back-to-back responses.
    if (consecutive_ < pulses_for_recovery)
      return out;
    failed_ = false;
    out |= tr_recovered;
  }
  return out | clear_path();
}

transitions liveness::clear_path() {
  transitions out = tr_none;
  b2b_ = 0;
  loss_at_ = 0;
  if (degraded_) {
    degraded_ = false;
    out |= tr_degrade_clear;
  }
  if (minor_) {
    minor_ = false;
    out |= tr_minor_clear;
  }
  return out;
}

receipt attendance::note(uint32_t sequence) {
  if (!expected_ || sequence != sequence_)
    return receipt::stale;
  if (answered_)
    return receipt::duplicate;
  answered_ = true;
  return receipt::counted;
}

} // namespace hbs
