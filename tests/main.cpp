#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

#include "runtime/log.hpp"

int main(int argc, char** argv) {
  // Transition logs are part of what actor tests exercise; show them only when asked.
  auto lvl = std::getenv("HBS_TEST_LOG") ? hbs::log::level::debug : hbs::log::level::off;
  hbs::log::init("hbs-unit", lvl, false);
  return doctest::Context{argc, argv}.run();
}
