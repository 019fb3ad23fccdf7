#include "messages/pulse_auth.hpp"

#include <cctype>
#include <chrono>
#include <cstring>

#include <sodium.h>

namespace hbs::wire {

namespace {

constexpr uint8_t magic[4] = {'H', 'B', 'A', '1'};

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void store_i64(uint8_t* p, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i)
    p[i] = static_cast<uint8_t>(u >> (8 * i));
}

int64_t load_i64(const uint8_t* p) {
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i)
    u |= static_cast<uint64_t>(p[i]) << (8 * i);
  return static_cast<int64_t>(u);
}

// The key's HMAC state after absorbing the padded key, kept in the key itself: a pulse's
// MAC starts from a copy of it, so no thread keeps per-key state and no call re-hashes the
// key. libsodium's state is a plain struct, safe to copy.
static_assert(sizeof(crypto_auth_hmacsha256_state) <= sizeof(pulse_key::keyed_state));
static_assert(alignof(crypto_auth_hmacsha256_state) <= alignof(pulse_key::keyed_state));

} // namespace

const char* to_string(auth_mode m) {
  switch (m) {
    case auth_mode::off: return "off";
    case auth_mode::accept: return "accept";
    case auth_mode::require: return "require";
  }
  return "unknown";
}

bool parse_auth_mode(const std::string& s, auth_mode& out) {
  for (auto m : {auth_mode::off, auth_mode::accept, auth_mode::require})
    if (s == to_string(m)) {
      out = m;
      return true;
    }
  return false;
}

const char* to_string(auth_result r) {
  switch (r) {
    case auth_result::none: return "unsigned";
    case auth_result::valid: return "valid";
    case auth_result::bad_mac: return "bad_mac";
    case auth_result::replayed: return "replayed";
  }
  return "unknown";
}

std::string pulse_key::load_hex(const std::string& text) {
  std::string digits;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c)))
      digits += c;
  if (digits.size() % 2 != 0 || digits.size() < 64 || digits.size() > 2 * key_.size())
    return "the pulse key must be 64..128 hex digits (32..64 bytes), an even count; got "
           + std::to_string(digits.size()) + " characters";
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = hex_value(digits[i]), lo = hex_value(digits[i + 1]);
    if (hi < 0 || lo < 0)
      return "the pulse key holds a character that is not a hex digit";
    key_[i / 2] = static_cast<uint8_t>(hi << 4 | lo);
  }
  len_ = digits.size() / 2;
  if (sodium_init() < 0)
    return "libsodium could not initialise";
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key_.data(), len_);
  std::memcpy(keyed_.bytes, &st, sizeof st);
  return {};
}

void pulse_key::mac(const uint8_t* data, size_t size, uint8_t* out) const {
  crypto_auth_hmacsha256_state st;
  std::memcpy(&st, keyed_.bytes, sizeof st);
  crypto_auth_hmacsha256_update(&st, data, size);
  crypto_auth_hmacsha256_final(&st, out);
}

size_t pulse_key::sign(uint8_t* data, size_t size, size_t capacity, int64_t now_ms) const {
  if (empty() || size + auth_trailer_size > capacity)
    return 0;
  std::memcpy(data + size, magic, 4);
  store_i64(data + size + 4, now_ms);
  mac(data, size + 12, data + size + 12);
  return size + auth_trailer_size;
}

auth_result pulse_key::check(const uint8_t* data, size_t size, int64_t now_ms,
                             int64_t max_skew_ms, size_t& pulse_size, int64_t* signed_at) const {
  pulse_size = size;
  if (size < auth_trailer_size || std::memcmp(data + size - auth_trailer_size, magic, 4) != 0)
    return auth_result::none;
  pulse_size = size - auth_trailer_size;
  uint8_t want[32];
  mac(data, size - 32, want);
  if (empty() || crypto_verify_32(want, data + size - 32) != 0)
    return auth_result::bad_mac;
  auto at = load_i64(data + pulse_size + 4);
  if (signed_at)
    *signed_at = at;
  auto skew = now_ms - at;
  if (skew > max_skew_ms || skew < -max_skew_ms)
    return auth_result::replayed;
  return auth_result::valid;
}

bool pulse_gate::admit(const uint8_t* data, size_t size, int64_t now_ms, size_t& pulse_size,
                       auth_result& result, int64_t* signed_at) const {
  if (mode == auth_mode::off) { // a trailer is just a tail the decoder ignores
    pulse_size = size;
    result = auth_result::none;
    return true;
  }
  result = key.check(data, size, now_ms, max_skew_ms, pulse_size, signed_at);
  return result == auth_result::valid
         || (result == auth_result::none && mode == auth_mode::accept);
}

bool replay_guard::fresh(uint32_t sender, uint32_t sequence, int64_t signed_at, int64_t now_ms,
                         int64_t max_skew_ms) {
  entry* e = nullptr;
  for (size_t i = 0; i < used_ && !e; ++i)
    if (entries_[i].sender == sender)
      e = &entries_[i];
  if (e && now_ms - e->taken_ms <= max_skew_ms && sequence <= e->sequence
      && signed_at <= e->signed_at)
    return false;
  if (!e && used_ < entries_.size())
    e = &entries_[used_++];
  if (!e) { // full: the sender taken from longest ago makes room
    e = &entries_[0];
    for (auto& x : entries_)
      if (x.taken_ms < e->taken_ms)
        e = &x;
  }
  *e = {sender, sequence, signed_at, now_ms};
  return true;
}

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace hbs::wire
