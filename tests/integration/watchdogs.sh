#!/usr/bin/env bash
# The systemd watchdog is fed only while the work gets done. A real hbs-client and hbs-agent
# report to a NOTIFY_SOCKET this test listens on; their threads are frozen one kind at a
# time with build/tests/freeze-threads (ptrace: the thread stops, the rest of the process runs):
# while the socket loop (hbs-io) or the actor threads are frozen no WATCHDOG=1 may come
# (systemd would restart the service); once they run again the watchdog is fed again.
# Needs ptrace rights (root); skipped with the reason otherwise.
set -euo pipefail
build=${1:?usage: watchdogs.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
if ((EUID != 0)); then
  echo "SKIP watchdogs: freezing a thread with ptrace needs root"
  exit 0
fi
hbs_setup_cluster "$build" 2 29000
notify=$HBS_DIR/notify.sock
# The listener keeps every datagram as "TIME_MS SENDER_PID MESSAGE" (the kernel tells the
# sender, SO_PASSCRED), for 90 s at most.
python3 - "$notify" "$HBS_DIR/notify.log" <<'PY' &
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1])
s.settimeout(1)
end = time.time() + 90
with open(sys.argv[2], "a", buffering=1) as out:
    while time.time() < end:
        try:
            data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            continue
        pid = 0
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", payload[:12])[0]
        msg = data.decode(errors="replace").replace("\n", " ")
        out.write(f"{int(time.time() * 1000)} {pid} {msg}\n")
PY
listener=$!
HBS_EXTRA_CLEANUP="$notify"
trap 'kill $listener 2>/dev/null; hbs_teardown' EXIT
hbs_wait_for "the notify socket" 5 "[[ -S $notify ]]"

# The agent was started by hbs_setup_cluster without the socket: start it again with it,
# and a client with it too (client 0; client 1 keeps answering as it was).
kill -TERM "$HBS_AGENT_PID"; wait "$HBS_AGENT_PID" 2>/dev/null || true
kill -TERM "${HBS_CLIENT_PIDS[0]}"; wait "${HBS_CLIENT_PIDS[0]}" 2>/dev/null || true
NOTIFY_SOCKET=$notify setsid "$build/hbs-client" --config "$HBS_DIR/client-0.toml" --stop-with $$ \
  >>"$HBS_DIR/client-0.log" 2>&1 &
HBS_CLIENT_PIDS[0]=$!
NOTIFY_SOCKET=$notify setsid "$build/hbs-agent" --config "$HBS_DIR/agent.toml" --stop-with $$ \
  >>"$HBS_DIR/agent.log" 2>&1 &
HBS_AGENT_PID=$!
hbs_wait_for "both hosts answering" 10 \
  'hbs_ctl status --json | jq -e ".networks[0].responding == 2" >/dev/null'

fed() { # PID FROM_MS TO_MS: WATCHDOG=1 messages from PID in the window
  awk -v f="$2" -v t="$3" -v p="$1" '$1 >= f && $1 <= t && $2 == p && /WATCHDOG=1/' \
    "$HBS_DIR/notify.log" | wc -l
}

freeze_case() { # NAME PID WHICH
  local name=$1 pid=$2 which=$3 t0 n
  hbs_wait_for "$name feeding its watchdog" 5 \
    "(( \$(fed $pid \$(( \$(date +%s%3N) - 2500 )) \$(date +%s%3N)) >= 2 ))"
  t0=$(date +%s%3N)
  "$build/tests/freeze-threads" "$pid" 6 "$which"
  # Allowed: 3 s of a silent loop, 2 s of an unserved socket, 1 s between checks.
  n=$(fed "$pid" $((t0 + 4200)) $((t0 + 6000)))
  ((n == 0)) || hbs_fail "$name fed its watchdog $n time(s) with its $which thread(s) frozen"
  hbs_wait_for "$name feeding its watchdog again" 6 \
    "(( \$(fed $pid $((t0 + 6000)) \$(date +%s%3N)) >= 2 ))"
  echo "$name, $which frozen 6 s: watchdog not fed from +4.2 s to +6 s, fed again after"
}

freeze_case hbs-client "${HBS_CLIENT_PIDS[0]}" io
freeze_case hbs-client "${HBS_CLIENT_PIDS[0]}" workers
freeze_case hbs-agent "$HBS_AGENT_PID" io
freeze_case hbs-agent "$HBS_AGENT_PID" workers
grep -q "watchdog not fed" "$HBS_DIR/agent.log" || hbs_fail "the agent did not say why"
echo "PASS watchdogs"
