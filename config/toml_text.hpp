#pragma once
// Configuration text checked around toml++: before it parses (text it must not see) and
// after (problems fit for a one-line log).

#include <string>
#include <string_view>

namespace hbs::cfg {

// "" when toml++ may parse the text; else "SOURCE:LINE:COLUMN: ..." naming the first
// non-ASCII byte outside a comment (toml++ 3.3 can crash on some, see the definition).
std::string non_ascii_outside_comment(std::string_view text, std::string_view source);
// The problem with line breaks and other control characters escaped.
std::string one_line(std::string_view problem);

} // namespace hbs::cfg
