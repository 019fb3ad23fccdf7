#include <doctest/doctest.h>

#include <array>
#include <string>

#include "messages/amon_message.hpp"

using namespace hbs::wire;

namespace {

amon_error decode(const std::string& text, amon_request& out) {
  return decode_amon_request({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, out);
}

std::string answer(const amon_request& r) {
  std::array<uint8_t, 128> b{};
  auto n = encode_amon_response(r, {b.data(), b.size()});
  REQUIRE(n > 0);
  return {reinterpret_cast<const char*>(b.data()), n};
}

} // namespace

TEST_CASE("pmond's request is answered with the magic inverted and the sequence echoed") {
  amon_request r;
  // pmond's sprintf("%s %x %u", process, AMON_MAGIC_NUM, ++tx_sequence)
  REQUIRE(decode("hbsClient 12345678 17", r) == amon_error::none);
  CHECK(r.name == "hbsClient");
  CHECK(r.magic == amon_magic);
  CHECK(r.sequence == 17);
  // amon's sprintf("%s %8x %d"): what pmond checks is (magic ^ -1) == 0x12345678
  CHECK(answer(r) == "hbsClient edcba987 17");
}

TEST_CASE("a short magic is right-aligned in eight columns, as amon's %8x prints it") {
  amon_request r;
  REQUIRE(decode("hbs-client ffffff00 4294967295", r) == amon_error::none);
  CHECK(r.sequence == 4294967295u);
  CHECK(answer(r) == "hbs-client       ff 4294967295");
}

TEST_CASE("a request padded with NULs or a trailing newline is still pmond's request") {
  amon_request r;
  CHECK(decode(std::string{"hbsClient 12345678 3\0\0\0", 23}, r) == amon_error::none);
  CHECK(r.sequence == 3);
  CHECK(decode("hbsClient 12345678 4\n", r) == amon_error::none);
  CHECK(r.sequence == 4);
}

TEST_CASE("malformed requests are rejected with their reason") {
  amon_request r;
  CHECK(decode("", r) == amon_error::no_name);
  CHECK(decode(" hbsClient 12345678 1", r) == amon_error::no_name);
  CHECK(decode(std::string{"hbs\x01" "Client 12345678 1"}, r) == amon_error::no_name);
  CHECK(decode("hbsClient", r) == amon_error::bad_magic);
  CHECK(decode("hbsClient xyz 1", r) == amon_error::bad_magic);
  CHECK(decode("hbsClient 123456789 1", r) == amon_error::bad_magic); // nine digits
  CHECK(decode("hbsClient 12345678", r) == amon_error::bad_sequence);
  CHECK(decode("hbsClient 12345678 -1", r) == amon_error::bad_sequence);
  CHECK(decode("hbsClient 12345678 1x", r) == amon_error::bad_sequence);
  CHECK(decode("hbsClient 12345678 4294967296", r) == amon_error::bad_sequence);
  CHECK(decode("hbsClient 12345678 1 extra", r) == amon_error::bad_sequence);
  CHECK(decode(std::string(101, 'a'), r) == amon_error::oversized);
}

TEST_CASE("an answer that does not fit the buffer is not written") {
  amon_request r{"hbsClient", amon_magic, 1};
  std::array<uint8_t, 10> small{};
  CHECK(encode_amon_response(r, {small.data(), small.size()}) == 0);
}
