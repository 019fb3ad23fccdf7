#include <doctest/doctest.h>

#include "actors/stream_reading.hpp"

using namespace hbs;

TEST_CASE("a wake-up is in a stream when it read many, or a few while many more are due") {
  CHECK(in_stream(stream_read, 0));
  CHECK(in_stream(1, stream_read)); // a period's first answer of thousands
  CHECK(in_stream(1, 10'000));
}

TEST_CASE("a handful with little more due, or nothing read, is no stream") {
  CHECK_FALSE(in_stream(stream_read - 1, stream_read - 1)); // a small cluster's answers
  CHECK_FALSE(in_stream(3, 0));
  CHECK_FALSE(in_stream(0, 10'000)); // the live hosts are drained; the rest are silent
}
