#pragma once
// Reads a whole file with open/read, not iostreams: a stream's first use initialises the C++
// locale, ~0.5 MB of libstdc++ kept resident for good in every host's client (issue 16 §3).

#include <string>

namespace hbs::cfg {

// The file's bytes into out: "" on success, else why not (strerror of the failing call).
std::string read_text_file(const std::string& path, std::string& out);

} // namespace hbs::cfg
