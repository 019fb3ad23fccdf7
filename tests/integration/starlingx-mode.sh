#!/usr/bin/env bash
# hbs-agent in starlingx mode under an emulated mtcAgent and mtcalarmd (issue 11 §5), real
# agent and clients on loopback: READY until inventory, ADD/START and ACTIVE_CTRL from
# mtcAgent, a killed client reported as MINOR/DEGRADE/LOSS in the 1060-byte layout with
# alarms to mtcalarmd, clears when it is back, MONITOR_READY from the clients, an agent made
# inactive by ACTIVE_CTRL that sends no set event, and bad commands counted, never applied.
set -euo pipefail
build=${1:?usage: starlingx-mode.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
emu="python3 $here/../tools/mtc_emulator.py"
HBS_BUILD=$build
HBS_N=3
HBS_DIR=$(mktemp -d /tmp/hbs-it.XXXXXX)
HBS_CLIENT_PIDS=()
HBS_AGENT_PID=
trap hbs_teardown EXIT
trap 'exit 130' INT TERM
mtc=127.0.64.100 # "controller", the floating address mtcAgent binds
base=31600
cat >"$HBS_DIR/agent.toml" <<TOML
[agent]
controller = "controller-0"
mode = "starlingx"
state_dir = "$HBS_DIR/state"
control_socket = "$HBS_DIR/agent.sock"
control_token = "$HBS_DIR/control.token"
lock_file = "$HBS_DIR/locked"
scheduling_priority = 0
[starlingx]
mtc_address = "$mtc"
command_port = $((base + 4))
event_port = $((base + 7))
alarm_port = $((base + 22))
[sm]
server_port = $((base + 24))
client_port = $((base + 25))
[metrics]
enabled = false
[networks.management]
local_address = "127.0.64.1"
mode = "unicast"
client_port = $((base + 6))
agent_port = $((base + 3))
[networks.cluster-host]
local_address = "127.0.65.1"
mode = "unicast"
client_port = $((base + 16))
agent_port = $((base + 13))
TOML
for ((i = 0; i < HBS_N; i++)); do
  cat >"$HBS_DIR/client-$i.toml" <<TOML
[client]
host = "worker-$i"
pmon_port = 0 # no pmond here: the flag stays on
scheduling_priority = 0
mtc_address = "$mtc"
mtc_port = $((base + 1))
[networks.management]
local_address = "127.0.64.$((i + 10))"
mode = "unicast"
client_port = $((base + 6))
agent_port = $((base + 3))
[networks.cluster-host]
local_address = "127.0.65.$((i + 10))"
mode = "unicast"
client_port = $((base + 16))
agent_port = $((base + 13))
TOML
done
out=$HBS_DIR/mtc.jsonl
$emu listen --at $mtc --events $((base + 7)) --ready $((base + 1)) --alarms $((base + 22)) \
  --out "$out" --seconds 120 &
HBS_EXTRA_CLEANUP=""
emu_pid=$!
sleep 0.3
for ((i = 0; i < HBS_N; i++)); do hbs_start_client "$i"; done
"$build/hbs-agent" --config "$HBS_DIR/agent.toml" --stop-with $$ >"$HBS_DIR/agent.log" 2>&1 &
HBS_AGENT_PID="$! $emu_pid"
to=127.0.64.1:$((base + 4))
cmd() { $emu send --from $mtc --to $to "$@"; }
seen() { # JQ_FILTER: how many records match
  jq -c "select($1)" "$out" 2>/dev/null | wc -l
}
wait_seen() { # WHAT SECONDS JQ_FILTER
  hbs_wait_for "$1" "$2" "(( \$(seen '$3') > 0 ))"
}

wait_seen "READY from the agent" 10 '.event == "READY" and .host == "controller-0"'
jq -s -e '[.[] | select(.event == "READY")] | length > 0 and all(.signature ==
  "heart beat ready:" and .ver == 2 and .json == {"hostname": "controller-0",
  "service": "hbsAgent"})' "$out" >/dev/null ||
  hbs_fail "READY layout: $(head -1 "$out")"
[[ $(hbs_ctl role) == *inactive* ]] || hbs_fail "not inactive before ACTIVE_CTRL: $(hbs_ctl role)"
echo "ok: READY in the §5.8 layout; the agent waits inactive"

cmd ADD controller-0 127.0.64.1 127.0.65.1
for ((i = 0; i < HBS_N; i++)); do
  cmd ADD "worker-$i" "127.0.64.$((i + 10))" "127.0.65.$((i + 10))"
  cmd START "worker-$i"
done
cmd ACTIVE_CTRL controller-0
hbs_wait_for "the agent active" 5 '[[ $(hbs_ctl role) == active* ]]'
hbs_wait_for "3 hosts answering on both networks" 10 \
  '[[ $(hbs_ctl hosts --json | jq "[.[] | select(.networks | length == 2 and all(.state == \"ok\"))] | length") == 3 ]]'
wait_seen "MONITOR_READY from every client" 8 '.event == "MONITOR_READY" and .host == "worker-2"'
jq -s -e '[.[] | select(.event == "MONITOR_READY")] | length > 0 and all(.kind == "ready"
  and .signature == "mtce event msg  :" and .json.service == "hbsClient")' "$out" >/dev/null ||
  hbs_fail "MONITOR_READY layout: $(grep MONITOR_READY "$out" | head -2)"
echo "ok: inventory and role from mtcAgent; every client sends MONITOR_READY"

readies=$(seen '.event == "READY"')
hbs_kill "${HBS_CLIENT_PIDS[1]}"
wait_seen "LOSS of worker-1 on cluster-host" 5 '.event == "LOSS" and .host == "worker-1" and .network == 1'
wait_seen "LOSS of worker-1 on management" 2 '.event == "LOSS" and .host == "worker-1" and .network == 0'
for want in '.event == "MINOR_SET" and .network == 0' '.event == "DEGRADE_SET" and .network == 1' \
  '.event == "LOSS" and .signature == "heart beat loss :"' \
  '.kind == "alarm" and .request.mtcalarm[0].alarmid == "200.005" and .request.mtcalarm[0].severity == "critical"' \
  '.kind == "alarm" and .request.mtcalarm[0].alarmid == "200.009" and .request.mtcalarm[0].entity == "Cluster-host"'; do
  (($(seen "$want") > 0)) || hbs_fail "missing after the kill: $want"$'\n'"$(cat "$out")"
done
(($(seen '.event == "MINOR_SET" and .network == 1') == 0)) || hbs_fail "MINOR on cluster-host"
(($(seen '.event == "READY"') == readies)) || hbs_fail "READY went on after the inventory"
hbs_ctl mnfa --json | jq -e '.state == "idle"' >/dev/null || hbs_fail "MNFA is mtcAgent's"
echo "ok: a killed client is MINOR, DEGRADE and LOSS to mtcAgent, critical to mtcalarmd"

hbs_start_client 1
wait_seen "DEGRADE_CLR of worker-1" 5 '.event == "DEGRADE_CLR" and .host == "worker-1" and .network == 0'
wait_seen "the alarm cleared" 3 '.kind == "alarm" and .request.mtcalarm[0].operation == "clear" and .request.mtcalarm[0].hostname == "worker-1"'
echo "ok: back again: DEGRADE_CLR and the alarm cleared"

cmd ACTIVE_CTRL controller-1 # a swact: this agent only watches now
hbs_wait_for "the agent inactive" 5 '[[ $(hbs_ctl role) == inactive* ]]'
sets=$(seen '(.event == "LOSS" or .event == "MINOR_SET" or .event == "DEGRADE_SET" or .kind == "alarm")')
hbs_kill "${HBS_CLIENT_PIDS[0]}"
hbs_wait_for "worker-0 lost here" 5 \
  '[[ $(hbs_ctl host worker-0 --json | jq -r ".networks[0].state") == lost ]]'
sleep 0.5
(($(seen '(.event == "LOSS" or .event == "MINOR_SET" or .event == "DEGRADE_SET" or .kind == "alarm")') == sets)) ||
  hbs_fail "the inactive agent sent set events or alarms"
echo "ok: made inactive by ACTIVE_CTRL, it sends no set event and no alarm"

$emu send --from $mtc --to $to --raw "$(printf 'x%.0s' {1..60} | xxd -p | tr -d '\n')"
$emu send --from 127.0.64.77 --to $to ADD worker-9 127.0.64.99 # not mtcAgent's address
$emu send --from $mtc --to $to START "bad name"
hbs_wait_for "three rejected commands counted" 3 \
  '[[ $(hbs_ctl status --json | jq ".mtc.num_rejected | .short_message + .not_allowed + .no_host_name") == 3 ]]'
hbs_ctl hosts --json | jq -e 'all(.name != "worker-9")' >/dev/null || hbs_fail "worker-9 added"
kill -0 "${HBS_AGENT_PID%% *}" || hbs_fail "the agent died"
echo "ok: a short datagram, a stranger's ADD and a bad name are counted and not applied"

before=$(hbs_ctl status --json | jq .num_hosts)
$emu burst --from $mtc --to $to --hosts 600 --prefix 127.0.7
hbs_wait_for "600 hosts added from one burst" 30 \
  '[[ $(hbs_ctl status --json | jq .num_hosts) == $((before + 600)) ]]'
hbs_ctl status --json | jq -e '.mtc.num_kernel_drops == 0' >/dev/null ||
  hbs_fail "commands dropped by the kernel: $(hbs_ctl status | grep mtcAgent)"
echo "ok: 600 ADDs sent back to back (an inventory push after a restart) all taken"
