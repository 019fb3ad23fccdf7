#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "messages/pulse.hpp"
#include "messages/pulse_auth.hpp"
#include "tests/support/stock_daemons.hpp"

using namespace hbs::wire;

namespace {

const std::string key_hex(64, 'a');
const std::string other_hex(64, 'b');

pulse_key key(const std::string& hex) {
  pulse_key k;
  REQUIRE(k.load_hex(hex).empty());
  return k;
}

std::vector<uint8_t> signed_request(const pulse_key& k, int64_t at_ms) {
  hbs::test::stock_pulse sp;
  auto b = hbs::test::stock_bytes(sp); // 251 bytes: two histories
  auto n = b.size();
  b.resize(n + auth_trailer_size);
  REQUIRE(k.sign(b.data(), n, b.size(), at_ms) == b.size());
  return b;
}

} // namespace

TEST_CASE("a signed pulse verifies with the key and still decodes as the stock pulse") {
  auto k = key(key_hex);
  auto b = signed_request(k, 1000);
  size_t n = 0;
  CHECK(k.check(b.data(), b.size(), 1000, 10000, n) == auth_result::valid);
  CHECK(n == 251);
  pulse p;
  CHECK(decode_pulse(pulse_kind::request, {b.data(), n}, p) == decode_error::none);
  // A stock receiver reads the whole datagram: the trailer is a tail it ignores.
  CHECK(decode_pulse(pulse_kind::request, {b.data(), b.size()}, p) == decode_error::none);
}

TEST_CASE("any changed byte, another key, or an old signature is refused") {
  auto k = key(key_hex);
  auto b = signed_request(k, 50000);
  size_t n = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    auto c = b;
    c[i] ^= 0x01;
    auto r = k.check(c.data(), c.size(), 50000, 10000, n);
    CAPTURE(i);
    // Flipping the magic makes it unsigned; any other byte breaks the MAC.
    CHECK((r == auth_result::bad_mac || (i >= 251 && i < 255 && r == auth_result::none)));
  }
  CHECK(key(other_hex).check(b.data(), b.size(), 50000, 10000, n) == auth_result::bad_mac);
  CHECK(k.check(b.data(), b.size(), 60001, 10000, n) == auth_result::replayed);
  CHECK(k.check(b.data(), b.size(), 39999, 10000, n) == auth_result::replayed);
  CHECK(k.check(b.data(), b.size(), 60000, 10000, n) == auth_result::valid);
}

TEST_CASE("each mode admits what it should") {
  pulse_gate gate;
  gate.key = key(key_hex);
  auto good = signed_request(gate.key, 7000);
  auto bad = signed_request(key(other_hex), 7000);
  auto plain = hbs::test::stock_bytes({});
  struct row {
    auth_mode mode;
    bool good, bad, plain;
  };
  for (auto r : {row{auth_mode::off, true, true, true}, row{auth_mode::accept, true, false, true},
                 row{auth_mode::require, true, false, false}}) {
    gate.mode = r.mode;
    CAPTURE(to_string(r.mode));
    size_t n;
    auth_result res;
    CHECK(gate.admit(good.data(), good.size(), 7000, n, res) == r.good);
    CHECK(gate.admit(bad.data(), bad.size(), 7000, n, res) == r.bad);
    CHECK(gate.admit(plain.data(), plain.size(), 7000, n, res) == r.plain);
    CHECK(n == plain.size());
  }
}

TEST_CASE("a pulse key is 32 to 64 bytes of hex") {
  pulse_key k;
  CHECK(k.load_hex(std::string(62, 'a')).find("64..128 hex digits") != std::string::npos);
  CHECK(k.load_hex(std::string(63, 'a') + "g").find("not a hex digit") != std::string::npos);
  CHECK(k.load_hex(std::string(130, 'a')).find("64..128") != std::string::npos);
  CHECK(k.load_hex(std::string(64, 'F') + "\n").empty());
  CHECK_FALSE(k.empty());
}

namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

std::string mac_of(const pulse_key& k, int64_t at_ms) {
  std::vector<uint8_t> b(23 + auth_trailer_size);
  std::memcpy(b.data(), "cgts pulse req:", 15);
  for (int i = 0; i < 8; ++i)
    b[15 + i] = static_cast<uint8_t>(static_cast<uint64_t>(at_ms) >> (8 * i));
  REQUIRE(k.sign(b.data(), 23, b.size(), at_ms) == b.size());
  return hex(b.data() + b.size() - 32, 32);
}

} // namespace

// Known answers from Python's hmac module (hmac.new(key, pulse + "HBA1" + ts, sha256)): the
// fast keyed context computes standard HMAC-SHA256, also when one thread switches keys.
TEST_CASE("the trailer's MAC is standard HMAC-SHA256, whichever key was used last") {
  auto a = key("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  auto b = key(std::string(80, 'f'));
  const int64_t at = 1796173078337;
  for (int round = 0; round < 2; ++round) {
    CHECK(mac_of(a, at) == "9e91c209538ba9c29cda2a9deeb5fbf1aa65327e33f7bf99fac4d04d39d360a0");
    CHECK(mac_of(b, at) == "efe6d40061050ffa94a9589b48c1d0d62ede39dac29016f42840f54936a1fc57");
  }
}

TEST_CASE("the replay guard takes a pulse newer in sequence or time, per sender, for a while") {
  replay_guard g;
  const int64_t skew = 10000;
  CHECK(g.fresh(1, 100, 5000, 5000, skew));
  CHECK_FALSE(g.fresh(1, 100, 5000, 5001, skew)); // the same pulse again
  CHECK_FALSE(g.fresh(1, 99, 4900, 5002, skew));  // an older one
  CHECK(g.fresh(2, 99, 4900, 5003, skew));        // another sender keeps its own record
  CHECK(g.fresh(1, 1, 5100, 5100, skew));         // restarted: sequence 1, a later stamp
  CHECK(g.fresh(1, 2, 3000, 5200, skew));         // clock stepped back: still counting up
  CHECK_FALSE(g.fresh(1, 2, 3000, 5300, skew));
  CHECK(g.fresh(1, 2, 3000, 5200 + skew + 1, skew)); // silent past the window: afresh
  // Eight senders are remembered; a ninth displaces the one taken from longest ago.
  for (uint32_t s = 10; s < 17; ++s)
    CHECK(g.fresh(s, 5, 6000, 20000 + s, skew));
  CHECK_FALSE(g.fresh(16, 5, 6000, 20100, skew));
  CHECK(g.fresh(99, 5, 6000, 20200, skew));
  CHECK_FALSE(g.fresh(99, 5, 6000, 20201, skew));
  CHECK_FALSE(g.fresh(16, 5, 6000, 20202, skew)); // still remembered
}
