#pragma once
// hbs-agent's log lines as journal entries with fields (libsystemd's sd_journal_sendv), so
// `journalctl HBS_HOST=worker-3` or `HBS_EVENT=loss` finds them and journald's size limits
// bound the disk (issue 14 §4). Only the agent links libsystemd: hbs-client, on every host,
// writes priority-prefixed lines to stderr, which journald also takes.

#include <string>

#include "runtime/log.hpp"

namespace hbs::journal {

// The sink log::set_structured takes: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, HBS_CATEGORY and
// the line's own fields.
log::structured_sink sink(const std::string& identifier);

} // namespace hbs::journal
