#!/usr/bin/env bash
# Logs as an operator reads them: under systemd (stderr to the journal, JOURNAL_STREAM set)
# every line carries its syslog priority, so `journalctl -p warning` filters; SIGHUP reopens
# a log file that logrotate moved away. Loopback only (127.0.54.x); no agent needed.
set -euo pipefail
build=$(cd "${1:?usage: logs.sh BUILD_DIR}" && pwd)
dir=$(mktemp -d /tmp/hbs-logs.XXXXXX)
source "$(dirname "$0")/lib.sh"
trap 'hbs_stop_children_and_remove "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$dir/client.toml" <<TOML
[client]
pmon_port = 0 # no process monitor here: the flag stays on
host = "worker-0"
scheduling_priority = 0
log_dir = "$dir/log"
[networks.management]
local_address = "127.0.54.10"
mode = "unicast"
client_port = 29706
agent_port = 29703
TOML
mkdir "$dir/log"
JOURNAL_STREAM=8:1234 "$build/hbs-client" --config "$dir/client.toml" --stop-with $$ \
  2>"$dir/stderr" &
pid=$!
for _ in $(seq 50); do grep -q "ready:" "$dir/log/hbs-client.log" 2>/dev/null && break; sleep 0.1; done
grep -q "ready:" "$dir/log/hbs-client.log" || fail "no ready line in the log file"
grep -q '^<6>hbs-client INFO main: ready:' "$dir/stderr" ||
  fail "the journal line has no priority: $(head -3 "$dir/stderr")"
grep -q '^<' "$dir/log/hbs-client.log" && fail "priorities leaked into the log file"
echo "ok: journal lines carry their priority (<6> info), the file has none"

mv "$dir/log/hbs-client.log" "$dir/log/hbs-client.log.1" # what logrotate does
kill -HUP "$pid"
for _ in $(seq 30); do [[ -s $dir/log/hbs-client.log ]] && break; sleep 0.1; done
grep -q "SIGHUP: log file reopened" "$dir/log/hbs-client.log" ||
  fail "no new log file after SIGHUP"
kill -0 "$pid" || fail "the client died on SIGHUP"
echo "ok: SIGHUP reopens the log file logrotate moved"
