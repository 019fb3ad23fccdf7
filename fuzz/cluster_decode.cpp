// The cluster history block ("vault") as hbsctl reads SM's reply and as the agent takes the
// peer's block out of a response. Beyond "no crash": what decodes re-encodes to the same
// bytes, and a vault that saved any accepted peer block still encodes to a block SM (and
// this decoder) accepts, with one history per controller and network.
#include <cstdint>
#include <vector>

#include "actors/cluster_history.hpp"
#include "fuzz/check.hpp"
#include "fuzz/wire_equal.hpp"
#include "messages/cluster.hpp"

using namespace hbs::wire;

namespace {

void check_round_trip(const uint8_t* data, size_t size, const cluster_block& first) {
  std::vector<uint8_t> out(size); // exact size: ASan sees a write past what was reported
  size_t n = encode_cluster(first, {out.data(), out.size()});
  FUZZ_CHECK(n == size);
  FUZZ_CHECK(n == first.bytes());
  std::vector<uint8_t> expect(data, data + size);
  hbs::fuzz::clear_reserved_bits(expect.data(), first.num_histories);
  FUZZ_CHECK(out == expect);
  cluster_block second;
  FUZZ_CHECK(decode_cluster({out.data(), n}, second) == decode_error::none);
  FUZZ_CHECK(hbs::fuzz::same(first, second));
  std::vector<uint8_t> short_out(size - 1);
  FUZZ_CHECK(encode_cluster(first, {short_out.data(), short_out.size()}) == 0);
}

void check_vault_for_sm(const hbs::cluster_history& vault) {
  const cluster_block& v = vault.vault();
  FUZZ_CHECK(v.num_histories <= max_histories);
  for (size_t i = 0; i < v.num_histories; ++i)
    for (size_t j = i + 1; j < v.num_histories; ++j)
      FUZZ_CHECK(v.histories[i].controller != v.histories[j].controller
                 || v.histories[i].network != v.histories[j].network);
  uint8_t out[max_cluster_size];
  size_t n = encode_cluster(v, {out, sizeof out});
  FUZZ_CHECK(n == v.bytes());
  cluster_block back;
  FUZZ_CHECK(decode_cluster({out, n}, back) == decode_error::none);
  FUZZ_CHECK(hbs::fuzz::same(v, back));
}

// Controller 0's vault over three periods: the block arrives on both networks, then the
// peer goes silent (0:0 injection into the saved histories).
void check_agent_saves(const cluster_block& peer) {
  hbs::cluster_history vault{0, 100};
  vault.set_peer_enabled();
  for (uint8_t net : {0, 1}) {
    hbs::period_summary s;
    s.network = net;
    s.enabled = 3;
    s.responding = 2;
    s.got_peer = true;
    s.peer = peer;
    vault.close_period(s, false);
    check_vault_for_sm(vault);
  }
  hbs::period_summary silent;
  silent.enabled = 3;
  silent.responding = 3;
  vault.close_period(silent, true);
  check_vault_for_sm(vault);
  FUZZ_CHECK(vault.find(0, 0) != nullptr);
  (void)vault.take_reasons();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  cluster_block b;
  auto err = decode_cluster({data, size}, b);
  FUZZ_CHECK(static_cast<size_t>(err) < num_decode_errors);
  if (err != decode_error::none)
    return 0;
  FUZZ_CHECK(b.num_histories <= max_histories);
  check_round_trip(data, size, b);
  check_agent_saves(b);
  return 0;
}
