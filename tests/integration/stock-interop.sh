#!/usr/bin/env bash
# Real hbs processes against stock-shaped StarlingX daemons on loopback (reference §3):
# 1. two stock hbsAgents send a real hbs-client requests padded to 339/427 bytes from
#    ephemeral ports, sometimes two per period: every one is answered, to the agent port,
#    at the exact size, with the other controller's history crossed in;
# 2. a real hbs-agent heartbeats two stock hbsClients and a legacy (version 0) one: no miss
#    once they answer, no event.
set -euo pipefail
build=${1:?usage: stock-interop.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
HBS_BUILD=$build
HBS_DIR=$(mktemp -d /tmp/hbs-it.XXXXXX)
HBS_CLIENT_PIDS=()
HBS_AGENT_PID=
HBS_PORT_BASE=28050
trap hbs_teardown EXIT
trap 'exit 130' INT TERM
base=28000
stock=(python3 "$here/stock_daemons.py")

cat >"$HBS_DIR/client.toml" <<TOML
[client]
pmon_port = 0 # no process monitor here: the flag stays on
host = "worker-0"
[networks.management]
local_address = "127.0.42.1"
mode = "unicast"
client_port = $((base + 6))
agent_port = $((base + 3))
TOML
"$build/hbs-client" --config "$HBS_DIR/client.toml" --stop-with $$ >"$HBS_DIR/client.log" 2>&1 &
HBS_CLIENT_PIDS+=($!)
sleep 0.5
"${stock[@]}" agent 127.0.42.1 $((base + 6)) $((base + 3)) 127.0.42.100 127.0.42.101 50 \
  >"$HBS_DIR/agents.json"
echo "stock agents -> hbs-client: $(cat "$HBS_DIR/agents.json")"
jq -e '.sent == .answered and .unparsed == 0 and .c0_wrong_ctrl == 0 and .c1_wrong_ctrl == 0
       and .c0_sizes == [251] and .c1_sizes == [251]
       and .c0_crossed >= .sent[0] - 2 and .c1_crossed >= .sent[1] - 2' \
  "$HBS_DIR/agents.json" >/dev/null || hbs_fail "hbs-client does not answer stock agents fully"
if grep -q "dropped malformed" "$HBS_DIR/client.log"; then
  hbs_fail "hbs-client dropped stock requests: $(grep malformed "$HBS_DIR/client.log")"
fi

cat >"$HBS_DIR/agent.toml" <<TOML
[agent]
controller = "controller-0"
state_dir = "$HBS_DIR/state"
control_socket = "$HBS_DIR/agent.sock"
control_token = "$HBS_DIR/control.token"
lock_file = ""
[sm]
server_port = $((base + 24))
client_port = $((base + 25))
[networks.management]
local_address = "127.0.43.100"
mode = "unicast"
client_port = $((base + 16))
agent_port = $((base + 13))
[[hosts]]
name = "stock-0"
type = "worker"
management = "127.0.43.1"
[[hosts]]
name = "stock-1"
type = "storage"
management = "127.0.43.2"
[[hosts]]
name = "legacy-0"
type = "worker"
management = "127.0.43.3"
TOML
"${stock[@]}" clients 127.0.43.100 $((base + 16)) $((base + 13)) 6 \
  stock-0=127.0.43.1 stock-1=127.0.43.2 legacy-0=127.0.43.3:v0 >"$HBS_DIR/clients.json" \
  2>"$HBS_DIR/clients.err" &
stock_pid=$!
hbs_wait_for "the stock clients bound" 5 "grep -q ready '$HBS_DIR/clients.err'"
"$build/hbs-agent" --config "$HBS_DIR/agent.toml" --stop-with $$ >"$HBS_DIR/agent.log" 2>&1 &
HBS_AGENT_PID=$!
hbs_wait_for "the three stock clients answering" 5 \
  "hbs_ctl status --json | jq -e '.networks[0].responding == 3' >/dev/null"
misses() { hbs_ctl hosts --json | jq '[.[].networks[].num_misses] | add'; }
before=$(misses)
sleep 3
after=$(misses)
hbs_ctl hosts
((after == before)) || hbs_fail "stock clients missed $((after - before)) pulses in 3 s"
hbs_ctl status --json | jq -e '[.networks[0].num_malformed[]] | add == 0' >/dev/null ||
  hbs_fail "the agent dropped stock responses as malformed"
if hbs_events | grep -q '"kind":"\(minor_set\|degrade_set\|loss\)"'; then
  hbs_fail "events on a healthy mixed cluster: $(hbs_events)"
fi
wait "$stock_pid"
echo "stock clients answered: $(cat "$HBS_DIR/clients.json")"
echo "PASS stock-interop"
