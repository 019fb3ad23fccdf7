#!/usr/bin/env bash
# hbs-sim on loopback multicast (IP_MULTICAST_IF 127.0.0.1, TTL 0) with 300 simulated
# hosts on both networks: every host answers from its own address; a stopped host is lost
# within 11 periods, others are not; a scenario file and the control port both inject.
set -euo pipefail
build=${1:?usage: sim-multicast.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
# The scenario is read at start: written before hbs-sim runs, under a directory of its own.
scenario=$(mktemp /tmp/hbs-it-scenario.XXXXXX)
HBS_EXTRA_CLEANUP=$scenario
printf '# seconds command\n3.0 stop 7 clstr\n' >"$scenario"
hbs_setup_sim "$build" 300 30000 $'[mnfa]\nthreshold_percent = 20' \
  --control-port 30099 --scenario "$scenario"
t0=$(date +%s%3N)
printf 'stop sim-42 mgmt\n' >/dev/udp/127.0.0.1/30099
hbs_wait_for "loss of sim-42" 5 'grep "\"kind\":\"loss\"" "$HBS_DIR/state/events.jsonl" |
  grep -q "\"host\":\"sim-42\""'
loss=$(grep '"kind":"loss"' "$HBS_DIR/state/events.jsonl" | grep '"host":"sim-42"' | head -1 |
  jq .time_ms)
echo "sim-42 lost $((loss - t0)) ms after the fault"
(( loss - t0 <= 1150 )) || hbs_fail "detection took $((loss - t0)) ms"
hbs_wait_for "the scenario's fault on sim-7" 6 'grep -q "\"command\":\"stop 7 clstr\"" "$HBS_DIR/sim.out"'
hbs_wait_for "sim-7 lost on cluster-host only" 3 'grep "\"kind\":\"loss\"" "$HBS_DIR/state/events.jsonl" |
  grep "\"host\":\"sim-7\"" | grep -q cluster-host'
lost=$(grep -c '"kind":"loss"' "$HBS_DIR/state/events.jsonl")
((lost == 2)) || hbs_fail "expected 2 losses, got $lost: $(grep loss "$HBS_DIR/state/events.jsonl")"
[[ $(hbs_ctl status --json | jq '[.networks[].num_unknown_source] | add') == 0 ]] ||
  hbs_fail "replies from addresses outside the inventory"
echo "PASS sim-multicast"
