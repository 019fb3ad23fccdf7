#include "actors/criss_cross.hpp"

namespace hbs {

cross_result criss_cross::respond(const wire::pulse& req, uint32_t flags, wire::pulse& rsp) {
  auto res = respond_header(req, flags, rsp);
  rsp.cluster = res.block ? *res.block : req.cluster;
  return res;
}

cross_result criss_cross::respond_header(const wire::pulse& req, uint32_t flags,
                                         wire::pulse& rsp) {
  cross_result res;
  uint32_t ctrl = req.controller();
  rsp.sequence = req.sequence;
  rsp.version = req.version;
  rsp.clue = req.clue;
  rsp.flags = flags & ~wire::controller_mask;
  rsp.set_name(name_);
  if (name_.size() < wire::host_name_area && req.name_view() == name_ && rri_[ctrl] != req.clue) {
    rri_[ctrl] = req.clue;
    res.clue_changed = true;
  }
  if (req.version < 1) {
    res.outcome = cross_outcome::legacy;
    return res;
  }
  res.block = &req.cluster;
  rsp.flags |= ctrl << wire::controller_shift;
  rsp.clue = rri_[ctrl];
  if (req.cluster.num_histories > 2) {
    res.outcome = cross_outcome::bad_cluster;
    return res;
  }
  if (req.cluster.num_histories == 0) {
    res.outcome = cross_outcome::no_history;
    return res;
  }
  uint32_t other = ctrl ^ 1;
  cache_[ctrl] = req.cluster;
  missed_[ctrl] = 0;
  auto& theirs = cache_[other];
  if (theirs.num_histories == 0) {
    res.outcome = cross_outcome::echoed;
    return res;
  }
  if (++missed_[other] > 2u * theirs.num_histories) {
    theirs.num_histories = 0;
    res.outcome = cross_outcome::stale_cleared;
    return res;
  }
  res.block = &theirs;
  res.outcome = cross_outcome::crossed;
  return res;
}

} // namespace hbs
