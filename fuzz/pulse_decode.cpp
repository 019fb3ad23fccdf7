// Pulse datagrams as the agent (responses) and the client (requests) receive them: from
// anyone on the network. Beyond "no crash": what decodes re-encodes to the bytes it declares
// (a padded tail is ignored, reference §3), and
// the client's answer to any request it accepts is a response it would accept itself.
#include <cstdint>
#include <string>
#include <vector>

#include "actors/criss_cross.hpp"
#include "fuzz/check.hpp"
#include "fuzz/wire_equal.hpp"
#include "messages/pulse.hpp"

using namespace hbs::wire;

namespace {

void check_round_trip(pulse_kind kind, const uint8_t* data, size_t size, const pulse& first) {
  // What the datagram declares: 63 bytes and the cluster block's `bytes`. Anything after it
  // is a stock agent's padding (or a legacy sender's buffer) and was ignored.
  size_t declared = pulse_header_size + (first.version >= 1 ? first.cluster.bytes() : 0);
  FUZZ_CHECK(declared <= size);
  // Exact-size buffers throughout, so ASan sees any write past what the encoder reports.
  std::vector<uint8_t> out(declared);
  size_t n = encode_pulse(kind, first, {out.data(), out.size()});
  FUZZ_CHECK(n == declared);
  std::vector<uint8_t> expect(data, data + declared);
  if (first.version >= 1)
    hbs::fuzz::clear_reserved_bits(expect.data() + pulse_header_size,
                                   first.cluster.num_histories);
  FUZZ_CHECK(out == expect);
  pulse second;
  FUZZ_CHECK(decode_pulse(kind, {out.data(), n}, second) == decode_error::none);
  FUZZ_CHECK(hbs::fuzz::same(first, second));
  std::vector<uint8_t> short_out(declared - 1);
  FUZZ_CHECK(encode_pulse(kind, first, {short_out.data(), short_out.size()}) == 0);
}

// The client's side: the request goes through criss_cross twice (as controller 0's and as
// controller 1's, so the second one crosses the first one's cached block), at the host the
// request's name clue names, which takes the index clue offered with it.
void check_client_answer(const pulse& request) {
  std::string name{request.name_view()};
  bool addressed = name.size() < host_name_area;
  hbs::criss_cross client{name};
  for (uint32_t ctrl : {0u, 1u}) {
    pulse req = request;
    req.flags = (req.flags & ~controller_mask) | (ctrl << controller_shift);
    pulse rsp;
    client.respond(req, pmond_flag, rsp);
    std::vector<uint8_t> out(max_pulse_size);
    size_t n = encode_pulse(pulse_kind::response, rsp, {out.data(), out.size()});
    FUZZ_CHECK(n >= pulse_header_size);
    pulse back;
    FUZZ_CHECK(decode_pulse(pulse_kind::response, {out.data(), n}, back) == decode_error::none);
    FUZZ_CHECK(back.controller() == ctrl || req.version == 0);
    FUZZ_CHECK(back.clue == req.clue || !addressed);
    FUZZ_CHECK(back.name_view() == name || !addressed);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (auto kind : {pulse_kind::request, pulse_kind::response}) {
    pulse p;
    auto err = decode_pulse(kind, {data, size}, p);
    FUZZ_CHECK(static_cast<size_t>(err) < num_decode_errors);
    pulse headers; // the agent's way for responses: same verdict without the entries
    FUZZ_CHECK(decode_pulse(kind, {data, size}, headers, rings::skipped) == err);
    if (err != decode_error::none)
      continue;
    FUZZ_CHECK(p.controller() <= 1);
    FUZZ_CHECK(p.cluster.num_histories <= max_histories);
    for (size_t i = 0; i < p.cluster.num_histories; ++i)
      (void)p.cluster.histories[i].newest();
    check_round_trip(kind, data, size, p);
    if (kind == pulse_kind::request)
      check_client_answer(p);
  }
  return 0;
}
