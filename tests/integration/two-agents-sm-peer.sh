#!/usr/bin/env bash
# Two real agents and five clients on loopback (both networks, unicast). An SM query to each
# agent returns a well-formed vault with 4 histories; SIGKILL of controller-1's agent is seen
# as link down on controller-0 and 0:0 is injected into controller-1's histories; a restart
# brings the link and the histories back.
set -euo pipefail
build=${1:?usage: two-agents-sm-peer.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
hbs_setup_pair "$build" 3 23000

for me in 0 1; do
  hbs_wait_for "controller-$me sees 4 hosts on both networks" 10 \
    "hbs_ctl_on $me status --json | jq -e '[.networks[].responding] == [4,4]' >/dev/null"
done
hbs_wait_for "the peer link up on both agents" 10 \
  'hbs_ctl_on 0 peer --json | jq -e .link_up >/dev/null &&
   hbs_ctl_on 1 peer --json | jq -e .link_up >/dev/null'
sleep 2.5 # 20 periods: full rings

for me in 0 1; do
  hbs_ctl_on "$me" sm-query 4242 --json >"$HBS_DIR/sm-$me.json"
  jq -e '.reqid == 4242 and (.histories | length) == 4 and .bytes == 364' "$HBS_DIR/sm-$me.json" \
    >/dev/null || hbs_fail "controller-$me vault reply: $(cat "$HBS_DIR/sm-$me.json")"
  jq -e '[.histories[].newest_responding] == [4,4,4,4] and
         ([.controllers[].max_responding] == [4,4])' "$HBS_DIR/sm-$me.json" >/dev/null ||
    hbs_fail "controller-$me does not see both views at 4/4: $(cat "$HBS_DIR/sm-$me.json")"
done
hbs_ctl_on 0 sm-query 7
echo "both agents answer SM with 4 histories, every view 4/4"

hbs_kill "${HBS_AGENT_PIDS[1]}"
hbs_wait_for "controller-0 reports the link down" 10 \
  'hbs_ctl_on 0 peer --json | jq -e ".link_up == false" >/dev/null'
hbs_wait_for "0:0 injected into controller-1's histories" 5 \
  "hbs_ctl_on 0 sm-query 8 --json |
   jq -e '[.histories[] | select(.controller == 1) | .newest_responding] == [0,0]' >/dev/null"
hbs_ctl_on 0 peer
hbs_ctl_on 0 vault
grep -q '"kind":"loss"' "$HBS_DIR/state-0/events.jsonl" &&
  hbs_fail "a host was declared lost although only an agent died"

hbs_start_agent 1
hbs_wait_for "the link up again" 15 \
  'hbs_ctl_on 0 peer --json | jq -e ".link_up and .num_link_ups >= 2" >/dev/null'
hbs_wait_for "controller-1's histories flowing again" 10 \
  "hbs_ctl_on 0 sm-query 9 --json |
   jq -e '[.histories[] | select(.controller == 1) | .newest_responding] == [4,4]' >/dev/null"
hbs_ctl_on 0 peer
echo "PASS two-agents-sm-peer"
