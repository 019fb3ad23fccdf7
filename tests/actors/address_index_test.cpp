#include <doctest/doctest.h>

#include <random>
#include <unordered_map>

#include "actors/address_index.hpp"

using namespace hbs;

TEST_CASE("the address index finds, replaces and forgets hosts as a map would") {
  address_index idx;
  std::unordered_map<uint32_t, size_t> want;
  std::mt19937 rng{11};
  // Addresses from a few subnets, so runs of probes form and deletions must repair them.
  auto addr = [&] { return 0x7F010000u + rng() % 3000; };
  for (int op = 0; op < 200000; ++op) {
    auto a = addr();
    if (rng() % 3 == 0) {
      idx.erase(a);
      want.erase(a);
    } else {
      auto i = static_cast<size_t>(rng() % 100000);
      idx.set(a, i);
      want[a] = i;
    }
    if (op % 1000 == 0)
      for (uint32_t b = 0x7F010000u; b < 0x7F010000u + 3000; ++b) {
        auto it = want.find(b);
        auto got = idx.find(b);
        REQUIRE(got.has_value() == (it != want.end()));
        if (got)
          REQUIRE(*got == it->second);
      }
  }
  CHECK(idx.size() == want.size());
  CHECK_FALSE(idx.find(0x0A000001u).has_value());
}

TEST_CASE("the address index holds index 0 and address 0") {
  address_index idx;
  idx.set(0, 0);
  idx.set(0x7F000001u, 0);
  REQUIRE(idx.find(0).has_value());
  CHECK(*idx.find(0) == 0);
  CHECK(*idx.find(0x7F000001u) == 0);
  idx.erase(0);
  CHECK_FALSE(idx.find(0).has_value());
  CHECK(idx.size() == 1);
}
