#!/usr/bin/env bash
# hbs-sim on loopback multicast (IP_MULTICAST_IF 127.0.0.1, TTL 0) with 300 simulated
# hosts on both networks: every host answers from its own address; a stopped host is lost
# within 11 periods, others are not; a scenario file and the control port both inject.
set -euo pipefail
build=${1:?usage: sim-multicast.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
HBS_DIR=$(mktemp -d /tmp/hbs-it.XXXXXX)
HBS_CLIENT_PIDS=()
HBS_AGENT_PID=
HBS_CTL_PORT=30050
HBS_BUILD=$build
trap hbs_teardown EXIT
{
  printf '[agent]\ncontroller = "controller-0"\nstate_dir = "%s/state"\n' "$HBS_DIR"
  printf 'control_port = 30050\nlock_file = ""\n[sm]\nserver_port = 30024\nclient_port = 30025\n'
  printf '[mnfa]\nthreshold_percent = 20\n'
  printf '[networks.management]\nlocal_address = "127.0.0.1"\nclient_port = 30006\nagent_port = 30003\n'
  printf '[networks.cluster-host]\nlocal_address = "127.0.0.2"\nclient_port = 30016\nagent_port = 30013\n'
  "$build/hbs-sim" --hosts 300 --networks 2 --print-inventory
} >"$HBS_DIR/agent.toml"
printf '# seconds command\n3.0 stop 7 clstr\n' >"$HBS_DIR/scenario"
"$build/hbs-sim" --hosts 300 --networks 2 --client-port 30006 --agent-port 30003 \
  --clstr-client-port 30016 --clstr-agent-port 30013 --control-port 30099 \
  --scenario "$HBS_DIR/scenario" >"$HBS_DIR/sim.out" 2>"$HBS_DIR/sim.err" &
HBS_CLIENT_PIDS+=($!)
"$build/hbs-agent" --config "$HBS_DIR/agent.toml" >"$HBS_DIR/agent.log" 2>&1 &
HBS_AGENT_PID=$!
hbs_wait_for "300 hosts answering on both networks" 10 \
  'hbs_ctl status --json | jq -e "[.networks[].responding] == [300,300]" >/dev/null'
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
