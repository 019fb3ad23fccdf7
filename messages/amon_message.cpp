#include "messages/amon_message.hpp"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace hbs::wire {

const char* to_string(amon_error e) {
  switch (e) {
    case amon_error::none: return "none";
    case amon_error::oversized: return "oversized";
    case amon_error::no_name: return "no_name";
    case amon_error::bad_magic: return "bad_magic";
    case amon_error::bad_sequence: return "bad_sequence";
    case amon_error::wrong_name: return "wrong_name";
  }
  return "unknown";
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_printable(char c) {
  return c > ' ' && c < 0x7f;
}

// The next white-space separated word of `text` from `at`, skipping leading spaces.
std::string_view next_word(std::string_view text, size_t& at) {
  while (at < text.size() && is_space(text[at]))
    ++at;
  size_t start = at;
  while (at < text.size() && !is_space(text[at]))
    ++at;
  return text.substr(start, at - start);
}

template <class T>
bool parse_number(std::string_view word, int base, T& out) {
  if (word.empty())
    return false;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), out, base);
  return ec == std::errc{} && end == word.data() + word.size();
}

} // namespace

amon_error decode_amon_request(bytes_view in, amon_request& out) {
  if (in.size > amon_max_size)
    return amon_error::oversized;
  // pmond's request has no NUL; a sender that adds one (or zero padding) ends the text there.
  auto text = std::string_view{reinterpret_cast<const char*>(in.data), in.size};
  text = text.substr(0, std::min(text.size(), text.find('\0')));
  if (text.empty() || is_space(text.front()))
    return amon_error::no_name;
  size_t at = 0;
  auto name = next_word(text, at);
  for (char c : name)
    if (!is_printable(c))
      return amon_error::no_name;
  auto magic = next_word(text, at);
  if (magic.size() > 8 || !parse_number(magic, 16, out.magic))
    return amon_error::bad_magic;
  if (!parse_number(next_word(text, at), 10, out.sequence) || !next_word(text, at).empty())
    return amon_error::bad_sequence;
  out.name = std::string{name};
  return amon_error::none;
}

size_t encode_amon_response(const amon_request& in, mutable_bytes out) {
  auto text = fmt::format("{} {:>8x} {}", in.name, ~in.magic, in.sequence);
  if (text.size() > out.size)
    return 0;
  std::memcpy(out.data, text.data(), text.size());
  return text.size();
}

} // namespace hbs::wire
