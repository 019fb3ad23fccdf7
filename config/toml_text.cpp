#include "config/toml_text.hpp"

#include <fmt/format.h>

namespace hbs::cfg {

// toml++ 3.3 (Debian 12) reaches __builtin_unreachable() deciding whether a character in
// U+00A1..U+0499, U+2C5E..U+3057 or U+FB26..U+FEFE is whitespace: in keys, after a
// line-ending backslash in a multi-line string, wherever TOML expects a delimiter
// (marzer/tomlplusplus#190, #295; found by fuzz/config_load). A comment is the one place
// such text never reaches that code, and hbs needs it nowhere else (keys, names,
// addresses, keywords are ASCII), so non-ASCII is refused outside comments before toml++
// sees the text. The scan only has to find comments: a '#' outside any string.
std::string non_ascii_outside_comment(std::string_view text, std::string_view source) {
  enum class in { code, comment, basic, literal, multi_basic, multi_literal } state = in::code;
  size_t line = 1, column = 1;
  bool escaped = false;
  auto opens = [&](size_t i, const char* three) { return text.substr(i, 3) == three; };
  for (size_t i = opens(0, "\xEF\xBB\xBF") ? 3 : 0; i < text.size(); ++i) { // skip a BOM
    char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80 && state != in::comment)
      return fmt::format("{}:{}:{}: non-ASCII text outside a comment (allowed in comments only)",
                         source, line, column);
    size_t skip = 0; // the rest of a three-quote delimiter
    if (escaped)
      escaped = false;
    else if (state == in::code && c == '#')
      state = in::comment;
    else if (state == in::code && (opens(i, "\"\"\"") || opens(i, "'''"))) {
      state = c == '"' ? in::multi_basic : in::multi_literal;
      skip = 2;
    } else if (state == in::code && (c == '"' || c == '\''))
      state = c == '"' ? in::basic : in::literal;
    else if ((state == in::basic || state == in::multi_basic) && c == '\\')
      escaped = true;
    else if ((state == in::multi_basic && opens(i, "\"\"\""))
             || (state == in::multi_literal && opens(i, "'''"))) {
      state = in::code;
      skip = 2;
    } else if ((state == in::basic && c == '"') || (state == in::literal && c == '\''))
      state = in::code;
    if (c == '\n') {
      ++line;
      column = 1;
      if (state != in::multi_basic && state != in::multi_literal)
        state = in::code;
    } else {
      column += 1 + skip;
    }
    i += skip;
  }
  return {};
}

// Problems are printed one per line (the log, hbs-agent --check), but a quoted value or a
// toml++ message quoting the text can carry a line break or another control character
// (found by fuzz/config_load): those are escaped, so one problem stays one line.
std::string one_line(std::string_view problem) {
  std::string out;
  for (char c : problem) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n')
      out += "\\n";
    else if (u < 0x20 || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

} // namespace hbs::cfg
