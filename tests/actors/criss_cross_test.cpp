#include <doctest/doctest.h>

#include "actors/criss_cross.hpp"

using namespace hbs;
using namespace hbs::wire;

namespace {

pulse request_from(uint32_t ctrl, uint8_t histories, uint16_t responding = 5) {
  pulse p;
  p.set_name("worker-1");
  p.clue = 3;
  p.sequence = 99;
  p.flags = ctrl << controller_shift;
  p.cluster.num_histories = histories;
  for (uint8_t i = 0; i < histories; ++i) {
    p.cluster.histories[i].controller = static_cast<uint8_t>(ctrl);
    p.cluster.histories[i].network = i;
    p.cluster.histories[i].append({5, responding});
  }
  return p;
}

} // namespace

TEST_CASE("a response carries the other controller's cached history") {
  criss_cross cc{"worker-1"};
  pulse rsp;
  CHECK(cc.respond(request_from(1, 2, 4), pmond_flag, rsp).outcome == cross_outcome::echoed);
  auto res = cc.respond(request_from(0, 2, 5), pmond_flag, rsp);
  CHECK(res.outcome == cross_outcome::crossed);
  CHECK(rsp.controller() == 0); // controller bits restored for the requester
  CHECK(rsp.sequence == 99);
  CHECK(rsp.name_view() == "worker-1");
  CHECK((rsp.flags & pmond_flag) != 0);
  REQUIRE(rsp.cluster.num_histories == 2);
  CHECK(rsp.cluster.histories[0].controller == 1);
  CHECK(rsp.cluster.histories[0].newest() == history_entry{5, 4});
}

TEST_CASE("the index clue is cached per controller when the clue names this host") {
  criss_cross cc{"worker-1"};
  pulse rsp;
  auto req = request_from(1, 1);
  CHECK(cc.respond(req, 0, rsp).clue_changed);
  CHECK(rsp.clue == 3);
  CHECK(cc.clue(1) == 3);
  CHECK(cc.clue(0) == 0);
  CHECK_FALSE(cc.respond(req, 0, rsp).clue_changed);
  auto other = request_from(1, 1);
  other.set_name("worker-2");
  other.clue = 7;
  cc.respond(other, 0, rsp);
  CHECK(rsp.clue == 3); // another host's clue does not change ours
}

TEST_CASE("the other controller's cache is dropped once it goes stale") {
  criss_cross cc{"worker-1"};
  pulse rsp;
  cc.respond(request_from(1, 1), 0, rsp); // controller-1 with one history, then silent
  // missed[1] > 2 * 1 after the third request from controller-0 alone
  CHECK(cc.respond(request_from(0, 1), 0, rsp).outcome == cross_outcome::crossed);
  CHECK(cc.respond(request_from(0, 1), 0, rsp).outcome == cross_outcome::crossed);
  CHECK(cc.respond(request_from(0, 1), 0, rsp).outcome == cross_outcome::stale_cleared);
  CHECK(rsp.cluster.histories[0].controller == 0); // own block echoed, which the agent ignores
  CHECK(cc.cached(1).num_histories == 0);
  CHECK(cc.respond(request_from(0, 1), 0, rsp).outcome == cross_outcome::echoed);
}

TEST_CASE("a request without history or with too many is echoed and not cached") {
  criss_cross cc{"worker-1"};
  pulse rsp;
  CHECK(cc.respond(request_from(0, 0), 0, rsp).outcome == cross_outcome::no_history);
  CHECK(cc.respond(request_from(0, 3), 0, rsp).outcome == cross_outcome::bad_cluster);
  CHECK(rsp.cluster.num_histories == 3);
  CHECK(cc.cached(0).num_histories == 0);
}

TEST_CASE("a legacy request echoes the clue and sets no controller bits") {
  criss_cross cc{"worker-1"};
  pulse rsp;
  auto req = request_from(1, 0);
  req.version = 0;
  req.clue = 77;
  CHECK(cc.respond(req, cluster_host_flag, rsp).outcome == cross_outcome::legacy);
  CHECK(rsp.clue == 77);
  CHECK(rsp.controller() == 0);
  CHECK(rsp.flags == cluster_host_flag);
}
