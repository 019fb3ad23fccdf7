#pragma once
// The client's side of the cluster-history exchange (reference §3.2 steps 2-6): per
// controller, the last history block and index clue it sent; a response to one controller
// carries the *other* controller's cached block. Pure and allocation-free.

#include <array>
#include <string>
#include <string_view>

#include "messages/pulse.hpp"

namespace hbs {

enum class cross_outcome : uint8_t {
  crossed,      // response carries the other controller's history
  echoed,       // no other-controller history cached: requester's block echoed
  no_history,   // request carried no history (locked controller, no hosts)
  stale_cleared,// other controller's cache went stale and was dropped; block echoed
  bad_cluster,  // request's block failed the sanity check; echoed, not cached
  legacy,       // version 0 request, no cluster handling
};

struct cross_result {
  cross_outcome outcome = cross_outcome::echoed;
  bool clue_changed = false; // the controller offered this host a new index clue
  // The cluster block the response carries: the request's or the other controller's cached
  // one (lives until the next call); null for a legacy request, which carries none.
  const wire::cluster_block* block = nullptr;
};

class criss_cross {
public:
  explicit criss_cross(std::string host_name) : name_(std::move(host_name)) {}

  // Builds the response to a decoded request. flags: this host's current flag bits.
  cross_result respond(const wire::pulse& request, uint32_t flags, wire::pulse& response);
  // The same, except that response.cluster is left as it was: result.block says what it
  // should carry. For a sender that encodes one block once for many hosts (hbs-sim).
  cross_result respond_header(const wire::pulse& request, uint32_t flags,
                              wire::pulse& response);

  uint32_t clue(uint32_t controller) const { return rri_[controller & 1]; }
  const wire::cluster_block& cached(uint32_t controller) const { return cache_[controller & 1]; }
  const std::string& name() const { return name_; }

private:
  std::string name_;
  std::array<uint32_t, 2> rri_{};
  std::array<uint32_t, 2> missed_{};
  std::array<wire::cluster_block, 2> cache_{};
};

} // namespace hbs
