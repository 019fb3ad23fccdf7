#!/usr/bin/env bash
# hbs-client under an emulated pmond (issue 11 §3): pmond's active monitor on its amon port
# answered to the reply port with the magic inverted and the sequence echoed, nothing for
# another process's name, no answer while the client is frozen (what makes pmond restart
# it), answers again when it runs; its pid file for pmond's process-death watch, written at
# start and removed at a clean stop.
set -euo pipefail
build=${1:?usage: pmond-client.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
emu="python3 $here/../tools/mtc_emulator.py"
HBS_BUILD=$build
HBS_DIR=$(mktemp -d /tmp/hbs-it.XXXXXX)
HBS_CLIENT_PIDS=()
HBS_AGENT_PID=
trap hbs_teardown EXIT
trap 'exit 130' INT TERM
base=31700
cat >"$HBS_DIR/client-0.toml" <<TOML
[client]
host = "worker-0"
pmon_port = $((base + 9))
amon_port = $((base + 2))
amon_reply_port = $((base + 0))
pid_file = "$HBS_DIR/run/hbs-client.pid"
scheduling_priority = 0
[networks.management]
local_address = "127.0.66.10"
mode = "unicast"
client_port = $((base + 6))
agent_port = $((base + 3))
TOML
mkdir "$HBS_DIR/run"
hbs_start_client 0
pid=${HBS_CLIENT_PIDS[0]}
hbs_wait_for "the client ready" 5 'grep -q "answering pmond" "$HBS_DIR/client-0.log"'
[[ $(cat "$HBS_DIR/run/hbs-client.pid") == "$pid" ]] ||
  hbs_fail "pid file: '$(cat "$HBS_DIR/run/hbs-client.pid")', client pid $pid"
echo "ok: the pid file holds the client's pid"

amon() { # NAME SECONDS OUT
  $emu amon --port $((base + 2)) --reply $((base + 0)) --name "$1" --period 0.2 \
    --seconds "$2" --out "$3"
}
amon hbs-client 1.5 "$HBS_DIR/good.jsonl"
jq -s -e 'length >= 6 and all(.ok)' "$HBS_DIR/good.jsonl" >/dev/null ||
  hbs_fail "answers: $(head -3 "$HBS_DIR/good.jsonl")"
grep -q '"answer": "hbs-client edcba987 1"' "$HBS_DIR/good.jsonl" ||
  hbs_fail "first answer: $(head -1 "$HBS_DIR/good.jsonl")"
echo "ok: every request answered in time, magic inverted, sequence echoed"

amon hbsClient 0.5 "$HBS_DIR/other.jsonl"
jq -s -e 'length >= 2 and all(has("answer") | not)' "$HBS_DIR/other.jsonl" >/dev/null ||
  hbs_fail "answered another process's request: $(head -2 "$HBS_DIR/other.jsonl")"
grep -q "not answered: wrong_name" "$HBS_DIR/client-0.log" || hbs_fail "wrong name not logged"
echo "ok: a request for another process is logged, not answered"

kill -STOP "$pid"
amon hbs-client 1 "$HBS_DIR/frozen.jsonl"
kill -CONT "$pid"
jq -s -e 'length >= 4 and all(.ok | not)' "$HBS_DIR/frozen.jsonl" >/dev/null ||
  hbs_fail "answers while frozen: $(cat "$HBS_DIR/frozen.jsonl")"
amon hbs-client 1 "$HBS_DIR/thawed.jsonl"
# The first may still meet a late answer to a frozen-time request; the rest are in time.
jq -s -e 'length >= 4 and (.[1:] | all(.ok))' "$HBS_DIR/thawed.jsonl" >/dev/null ||
  hbs_fail "answers after thaw: $(cat "$HBS_DIR/thawed.jsonl")"
echo "ok: a frozen client misses pmond's requests and answers again when it runs"

kill -TERM "$pid"
timeout 5 tail --pid="$pid" -f /dev/null
[[ ! -e $HBS_DIR/run/hbs-client.pid ]] || hbs_fail "pid file left after a clean stop"
echo "ok: the pid file goes with a clean stop"
