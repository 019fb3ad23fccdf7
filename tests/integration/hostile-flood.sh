#!/usr/bin/env bash
# Hostile input (issue 7 §4): 250,000 bad datagrams in 5 s (50,000/s) at the agent's
# management response port while 200 simulated hosts heartbeat on both networks. Garbage,
# truncated and oversized datagrams, responses from outside the inventory, forged controller
# bits and replayed sequences are each counted under their own reason and dropped; every
# period stays judged, no real host sees a miss event and the watchdog stays fed. Loopback
# only, bounded.
set -euo pipefail
build=${1:?usage: hostile-flood.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
hbs_setup_sim "$build" 200 30100 'max_requests_per_s = 100000 # this test is about parsing, not the rate'
sleep 5.5 # replays use sequences 1..50: the agent must be past them
before=$(hbs_ctl status --json)
misses() { hbs_ctl hosts --json | jq '[.[].networks[].num_misses] | add'; }
misses_before=$(misses)
since=$(date +%s%3N)
"$build/udp-flood" --target 127.0.0.1:30103 --rate 50000 --seconds 5 \
  --hosts-base 127.1.0.1 --hosts 200 >"$HBS_DIR/flood.json" 2>"$HBS_DIR/flood.err"
sleep 0.3 # the last period closes
after=$(hbs_ctl status --json)
sent=$(cat "$HBS_DIR/flood.json")
echo "flood: $sent"
# Counter growth on the management network during the flood.
grew() { jq -n --argjson a "$before" --argjson b "$after" "\$b.networks[0]$1 - \$a.networks[0]$1"; }
malformed=$(jq -n --argjson a "$before" --argjson b "$after" \
  '($b.networks[0].num_malformed | add) - ($a.networks[0].num_malformed | add)')
read -r garbage truncated oversized unknown forged replayed total < <(jq -r \
  '[.garbage, .truncated, .oversized, .unknown_source, .forged_controller, .replayed]
   | . + [add] | map(tostring) | join(" ")' <<<"$sent")
((total == 250000)) || hbs_fail "the flood sent $total datagrams, not 250000"
drops=$(grew .local_health.num_socket_drops)
((drops == 0)) || hbs_fail "the kernel dropped $drops datagrams: the agent fell behind the flood"
[[ $(grew .num_wrong_controller) == "$forged" ]] ||
  hbs_fail "forged controller bits: sent $forged, counted $(grew .num_wrong_controller)"
[[ $(grew .num_unknown_source) == "$unknown" ]] ||
  hbs_fail "unknown sources: sent $unknown, counted $(grew .num_unknown_source)"
(($(grew .num_stale) >= replayed)) ||
  hbs_fail "replays: sent $replayed, counted $(grew .num_stale) stale"
# Garbage longer than the largest pulse (427 bytes) is oversized too.
(($(grew '.num_malformed["oversized"]') >= oversized)) ||
  hbs_fail "oversized: sent $oversized, counted $(grew '.num_malformed["oversized"]')"
((malformed == garbage + truncated + oversized)) ||
  hbs_fail "malformed: sent $((garbage + truncated + oversized)), counted $malformed"
# The heartbeat of the real hosts: every period judged, nobody missed.
stalled=$(($(grew .local_health.num_stalled_short_window) + $(grew .local_health.num_stalled_socket_overflow)))
((stalled == 0)) || hbs_fail "$stalled periods could not be judged during the flood"
blamed=$(jq -r --argjson s "$since" 'select(.time_ms >= $s and (.kind | test("minor|degrade|loss"))) | .kind' \
  "$HBS_DIR/state/events.jsonl" | wc -l)
((blamed == 0)) || hbs_fail "$blamed minor/degrade/loss events during the flood"
missed=$(($(misses) - misses_before))
((missed == 0)) || hbs_fail "$missed pulses of real hosts missed during the flood"
# A flood the agent keeps up with is a served socket: the watchdog stays fed (under systemd
# an unfed watchdog restarts the agent, and the heartbeat stops meanwhile).
! grep -F "watchdog not fed" "$HBS_DIR/agent.log" ||
  hbs_fail "the watchdog went unfed during the flood"
hbs_ctl status --json | jq -e '[.networks[].responding] == [200,200]' >/dev/null ||
  hbs_fail "not every host answering after the flood"
status=$(hbs_ctl status)
wrong=$((forged + $(jq '.networks[0].num_wrong_controller' <<<"$before")))
grep -qE "wrong-controller $wrong(,|$)" <<<"$status" ||
  hbs_fail "hbsctl status does not show the forged responses: $status"
echo "$status" | grep -A1 "management" | head -3
# The SM door takes untrusted JSON: 100 of each bad kind, each counted under its reason.
python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
bad = [b"not json at all", b'{"origin":"sm","service":"heartbeat","request":"cluster_info"}',
       b'{"origin":"sm","service":"heartbeat","request":"cluster_info","reqid":"70000"}',
       b"[1,2,3]", b"{" + b" " * 200 + b"}"]
for _ in range(100):
    for d in bad:
        s.sendto(d, ("127.0.0.1", 30124))
PY
# Each one read and counted under its reason, or counted as dropped by the kernel (then the
# reasons below fall short and the failure says how many were dropped).
hbs_wait_for "500 bad SM requests counted" 5 \
  'hbs_ctl status --json |
     jq -e "([.sm.num_rejected[]] | add) + .sm.num_kernel_drops == 500" >/dev/null'
drops=$(hbs_ctl status --json | jq .sm.num_kernel_drops)
((drops == 0)) || hbs_fail "$drops SM requests dropped by the kernel in a burst of 500"
sm=$(hbs_ctl status --json | jq -cS .sm.num_rejected)
want='{"bad_reqid":100,"not_json":100,"not_object":100,"oversized":100,"rate_limited":0,'
[[ $sm == "$want"'"wrong_keys":100}' ]] ||
  hbs_fail "SM rejects by reason: $sm"
hbs_ctl status | grep "^  sm " || hbs_fail "hbsctl status does not show the SM door"
echo "PASS hostile-flood"
