#!/usr/bin/env bash
# Under systemd, hbs-agent's lines are journal entries with fields (issue 14 §4): PRIORITY,
# SYSLOG_IDENTIFIER, HBS_CATEGORY, and for events HBS_EVENT, HBS_HOST, HBS_NETWORK, so
# `journalctl HBS_EVENT=loss HBS_HOST=worker-1` finds a loss. Runs in a private mount
# namespace with a tmpfs on /run, where a Python stand-in for journald reads the native
# protocol on /run/systemd/journal/socket: the machine's own journal is never touched.
set -euo pipefail
build=$(cd "${1:?usage: journal.sh BUILD_DIR}" && pwd)
if [[ -z ${HBS_JOURNAL_NS:-} ]]; then
  unshare -m true 2>/dev/null || { echo "SKIP journal: cannot make a mount namespace"; exit 0; }
  HBS_JOURNAL_NS=1 exec unshare -m --propagation private "$0" "$build"
fi
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/journal
cd "$(dirname "$0")"
source ./lib.sh
entries=$(mktemp /tmp/hbs-journal.XXXXXX)
python3 - "$entries" <<'PY' >/dev/null 2>&1 &
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
out = open(sys.argv[1], "a")
while True:
    data = s.recv(65536)
    fields, i = {}, 0
    while i < len(data):  # KEY=VALUE\n, or KEY\n<u64 le length><value>\n
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k, n = line, struct.unpack("<Q", data[nl + 1:nl + 9])[0]
            v = data[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        fields[k.decode()] = v.decode(errors="replace")
    out.write(json.dumps(fields) + "\n")
    out.flush()
PY
reader=$!
trap 'kill $reader 2>/dev/null; rm -f "$entries"' EXIT
hbs_wait_for "the journal stand-in" 5 "[[ -S /run/systemd/journal/socket ]]"
export JOURNAL_STREAM=8:4242 # stderr is the journal, as systemd says for Type=notify units
HBS_EXTRA_CLEANUP=$entries
hbs_setup_cluster "$build" 2 33000
trap 'rc=$?; kill $reader 2>/dev/null; (exit $rc); hbs_teardown' EXIT
has() { jq -se "any(.[]; $1)" "$entries" >/dev/null; } # some entry matches the filter
hbs_wait_for "the agent's ready entry" 10 \
  "has '.SYSLOG_IDENTIFIER == \"hbs-agent\" and (.MESSAGE | test(\"ready\"))'"
has '.SYSLOG_IDENTIFIER == "hbs-agent" and .PRIORITY == "6" and .HBS_CATEGORY == "main"' ||
  hbs_fail "no info entry of category main: $(head -3 "$entries")"
echo "ok: the agent's lines are journal entries with priority, identifier and category"
hbs_kill "${HBS_CLIENT_PIDS[1]}"
hbs_wait_for "worker-1's loss entry" 5 \
  "has '.HBS_EVENT == \"loss\" and .HBS_HOST == \"worker-1\"'"
has '.HBS_EVENT == "loss" and .HBS_HOST == "worker-1" and .PRIORITY == "4"
     and .HBS_NETWORK == "management" and .HBS_CONTROLLER == "controller-0"
     and (.MESSAGE | startswith("event: {"))' ||
  hbs_fail "the loss entry lacks its fields: $(grep '"loss"' "$entries" | head -1)"
echo "ok: a loss is an entry with HBS_EVENT, HBS_HOST, HBS_NETWORK and HBS_CONTROLLER"
grep -q "hbs-agent" "$HBS_DIR/agent.log" &&
  hbs_fail "the agent also wrote lines to stderr: $(head -2 "$HBS_DIR/agent.log")"
echo "PASS journal"
