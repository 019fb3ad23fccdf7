#pragma once
// Reads a JSON number from an untrusted state file into an integer type only when it is a
// whole number that fits: get<T>() on 1e22, 2e19 into int64_t or 1.5 would be undefined
// behaviour or a silent cut (both found by fuzz/state_files). No CAF include.

#include <cstdint>
#include <limits>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace hbs {

template <class T>
bool json_whole(const nlohmann::json& v, T& out) {
  static_assert(std::is_integral_v<T>);
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<T>::max()))
      return false;
    out = static_cast<T>(u);
    return true;
  }
  if (!v.is_number_integer() || !std::is_signed_v<T>)
    return false;
  auto i = v.get<int64_t>();
  if (i < static_cast<int64_t>(std::numeric_limits<T>::min())
      || i > static_cast<int64_t>(std::numeric_limits<T>::max()))
    return false;
  out = static_cast<T>(i);
  return true;
}

} // namespace hbs
