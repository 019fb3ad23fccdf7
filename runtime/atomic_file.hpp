#pragma once
// Replace a file so that a crash leaves either the old or the new content, never a mix:
// write a temporary file beside it, fsync it, rename it over, fsync the directory.

#include <string>

namespace hbs {

bool write_atomically(const std::string& path, const std::string& content, std::string& error);
// Whole file into out; false with a reason when it cannot be read (missing is not an error:
// out is left empty and true is returned).
bool read_file(const std::string& path, std::string& out, std::string& error);

} // namespace hbs
