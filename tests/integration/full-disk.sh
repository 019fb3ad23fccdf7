#!/usr/bin/env bash
# The state directory fills up (a 1 MiB tmpfs, root only; skipped otherwise): heartbeating
# goes on, every write is whole or not at all (events.jsonl never holds a torn or merged
# record, control.json and alarms.json stay valid), `hbsctl status` says which file fails
# and a command says it was applied but not persisted; freed space clears it all.
set -euo pipefail
build=${1:?usage: full-disk.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
if ((EUID != 0)); then
  echo "SKIP full-disk: mounting a small tmpfs needs root"
  exit 0
fi
hbs_setup_cluster "$build" 3 31000
state=$HBS_DIR/state
hbs_wait_for "three hosts answering" 10 \
  'hbs_ctl status --json | jq -e ".networks[0].responding == 3" >/dev/null'
# The agent again, its state directory now a small tmpfs holding what it had.
kill -TERM "$HBS_AGENT_PID"; wait "$HBS_AGENT_PID" 2>/dev/null || true
cp -a "$state" "$HBS_DIR/state.before"
mount -t tmpfs -o size=1m hbs-full "$state"
HBS_EXTRA_CLEANUP="$HBS_DIR/state.before"
trap 'umount -l "$state" 2>/dev/null; hbs_teardown' EXIT
cp -a "$HBS_DIR/state.before/." "$state/"
"$build/hbs-agent" --config "$HBS_DIR/agent.toml" --stop-with $$ >>"$HBS_DIR/agent.log" 2>&1 &
HBS_AGENT_PID=$!
hbs_wait_for "three hosts answering again" 10 \
  'hbs_ctl status --json | jq -e ".networks[0].responding == 3" >/dev/null'
hbs_wait_for "the first events written" 5 '[[ -s $state/events.jsonl ]]'

echo "== the disk fills up"
dd if=/dev/zero of="$state/filler" bs=4k 2>/dev/null || true # until ENOSPC
# events.jsonl's last page still has room: the records that reach past it tear there, and
# must be cut back. Three hosts lost: minor, degrade, loss, two alarms and failed for each.
for i in 0 1 2; do hbs_kill "${HBS_CLIENT_PIDS[i]}"; done
for h in worker-0 worker-1 worker-2; do
  hbs_wait_for "$h lost (heartbeating goes on)" 5 \
    "hbs_ctl host $h --json | jq -e '.networks[0].state == \"lost\"' >/dev/null"
done
hbs_wait_for "events.jsonl failing in status" 5 \
  'hbs_ctl status --json | jq -e ".files[] | select(.file | endswith(\"events.jsonl\")) | .ok == false" >/dev/null'
hbs_ctl status | grep "WRITES FAILING" || hbs_fail "status text does not say writes fail"
rc=0
out=$(hbs_ctl stop worker-2 2>&1) || rc=$?
echo "hbsctl stop worker-2 on a full disk: $out (exit $rc)"
((rc == 1)) && grep -q "applied but not persisted" <<<"$out" ||
  hbs_fail "a command on a full disk did not say it was not persisted"
hbs_ctl status --json | jq -e '.files[] | select(.file | endswith("control.json")) | .ok == false' \
  >/dev/null || hbs_fail "control.json not reported failing"
sent=$(hbs_ctl status --json | jq '.networks[0].num_requests')
sleep 1
(( $(hbs_ctl status --json | jq ".networks[0].num_requests") > sent )) ||
  hbs_fail "heartbeat stopped on a full disk: $(hbs_ctl status)"

check_whole() { # every line of events.jsonl is one JSON record; the file ends with one
  [[ ! -s $state/events.jsonl || $(tail -c1 "$state/events.jsonl" | od -An -c) == *'\n'* ]] ||
    hbs_fail "events.jsonl ends inside a record"
  jq -c . "$state/events.jsonl" >/dev/null || hbs_fail "events.jsonl has a torn record"
  [[ ! -e $state/control.json ]] || jq -e . "$state/control.json" >/dev/null ||
    hbs_fail "control.json is not whole"
  [[ ! -e $state/alarms.json ]] || jq -e . "$state/alarms.json" >/dev/null ||
    hbs_fail "alarms.json is not whole"
  ! ls "$state"/*.tmp 2>/dev/null || hbs_fail "a temporary file was left behind"
}
check_whole
grep -q "the part written was cut back" "$HBS_DIR/agent.log" &&
  echo "a record that reached past the last free byte was cut back"
echo "every file whole on the full disk"

echo "== space again"
rm -f "$state/filler"
hbs_start_client 0
hbs_wait_for "worker-0 recovered" 5 'hbs_events | grep -q "\"kind\":\"recovered\""'
hbs_wait_for "every write ok again" 5 \
  'hbs_ctl status --json | jq -e "[.files[].ok] | all" >/dev/null'
check_whole
# The stop taken on the full disk was kept in memory and retried: it is on disk now.
jq -e '.hosts[] | select(.name == "worker-2") | .monitored == false' "$state/control.json" \
  >/dev/null || hbs_fail "worker-2's stop is not in control.json"
echo "PASS full-disk"
