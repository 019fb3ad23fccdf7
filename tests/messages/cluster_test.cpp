#include <doctest/doctest.h>

#include "messages/cluster.hpp"

using namespace hbs::wire;

TEST_CASE("controller 1 on cluster-host with both flags is bitfield word 0xC011") {
  cluster_block c;
  c.num_histories = 1;
  auto& h = c.histories[0];
  h.controller = 1;
  h.network = 1;
  h.sm_heartbeat_fail = true;
  h.storage0_responding = true;
  uint8_t buf[100];
  REQUIRE(encode_cluster(c, {buf, sizeof buf}) == 100);
  CHECK(buf[12] == 0x11);
  CHECK(buf[13] == 0xC0);
}

TEST_CASE("a history ring keeps 20 entries and the newest is the one before the index") {
  history h;
  CHECK(h.newest() == history_entry{});
  for (uint16_t i = 1; i <= 25; ++i)
    h.append({i, static_cast<uint16_t>(i - 1)});
  CHECK(h.entries == 20);
  CHECK(h.oldest == 5);
  CHECK(h.newest() == history_entry{25, 24});
  CHECK(h.ring[5] == history_entry{6, 5}); // the oldest still held
}

TEST_CASE("a vault block round-trips and rejects a length that disagrees with bytes") {
  cluster_block c;
  c.reqid = 0xBEEF;
  c.period_msec = 1000;
  c.num_histories = 2;
  c.histories[1].controller = 1;
  c.histories[1].append({30, 20});
  uint8_t buf[max_cluster_size];
  auto n = encode_cluster(c, {buf, sizeof buf});
  REQUIRE(n == 12 + 2 * 88);
  cluster_block out;
  REQUIRE(decode_cluster({buf, n}, out) == decode_error::none);
  CHECK(out.reqid == 0xBEEF);
  CHECK(out.period_msec == 1000);
  CHECK(out.histories[1].newest() == history_entry{30, 20});
  CHECK(decode_cluster({buf, n - 1}, out) == decode_error::short_datagram);
  CHECK(encode_cluster(c, {buf, n - 1}) == 0);
}
