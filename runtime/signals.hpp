#pragma once
// How every daemon takes its signals: blocked in all threads, taken in the main thread by
// sigtimedwait, so no handler runs inside the heartbeat path. No CAF include (the client).

namespace hbs {

// Signals a daemon waits for in sigwait(); blocked before any thread starts.
void block_daemon_signals();
// Returns the signal number, or 0 when timeout_ms passed without one.
int wait_for_signal(int timeout_ms);

} // namespace hbs
