#pragma once
// systemd integration through its notification protocol: READY, STATUS, WATCHDOG, STOPPING.
// Every call is a no-op when not started by systemd (no NOTIFY_SOCKET).

#include <string>

namespace hbs::service {

// Sends one notification (NAME=VALUE lines) to $NOTIFY_SOCKET: whether it was sent.
bool notify(const std::string& message);
void ready(const std::string& status);
void status(const std::string& status);
void watchdog();
void stopping();
// stderr is connected to the journal (systemd sets JOURNAL_STREAM).
bool stderr_to_journal();
bool under_systemd(); // the journal is our log: no timestamps of our own

} // namespace hbs::service
