#pragma once
// StarlingX's history logs (reference §8), pure: the "view" of one history, oldest entry to
// newest as e:r with consecutive repeats as ".", wrapped near 100 characters with
// "............" continuation lines; when to log it (first output, every difference, once
// more after differences stop); and the memory dump of a history's 88 wire bytes (clog3).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "messages/cluster.hpp"

namespace hbs {

// "controller-N view from <from> <prefix> <Mgmnt|Clstr>: 1:1 . . 2:1 ..." (possibly wrapped).
std::vector<std::string> history_view_lines(const wire::history& h, const std::string& from,
                                            const std::string& prefix);

// The history's bytes as the vault holds them, as hex in rows of 22 bytes (4 rows).
std::vector<std::string> history_memory(const wire::history& h);

// Decides, per (controller, network), whether a view is worth logging.
class view_log_gate {
public:
  bool should_log(uint8_t controller, uint8_t network, const std::vector<std::string>& lines);

private:
  struct last {
    std::vector<std::string> lines;
    bool changing = false; // the last view differed from the one before
  };
  std::map<std::pair<uint8_t, uint8_t>, last> last_;
};

} // namespace hbs
