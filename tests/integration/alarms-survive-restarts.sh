#!/usr/bin/env bash
# Alarms survive SIGKILL and restart of each agent: the inactive agent's restart clears
# nothing, the active agent's restart loses nothing; checked through hbsctl and the files.
set -euo pipefail
build=${1:?usage: alarms-survive-restarts.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
hbs_setup_pair "$build" 3 24000

alarms_of() { hbs_ctl_on "$1" alarms --json | jq -c '[.[] | "\(.id) \(.host) \(.severity)"] | sort'; }
file_of() { jq -c '[.alarms[] | "\(.id) \(.host) \(.severity)"] | sort' "$HBS_DIR/state-$1/alarms.json"; }
expected='["200.005 worker-0 critical","200.009 worker-0 critical"]'

for me in 0 1; do
  hbs_wait_for "controller-$me sees 4 hosts on both networks" 10 \
    "hbs_ctl_on $me status --json | jq -e '[.networks[].responding] == [4,4]' >/dev/null"
done
hbs_wait_for "the peer link" 10 'hbs_ctl_on 0 peer --json | jq -e .link_up >/dev/null'

hbs_kill "${HBS_CLIENT_PIDS[2]}" # worker-0 (clients: controller-0, controller-1, workers)
hbs_wait_for "controller-0 raises both alarms CRITICAL" 5 '[[ $(alarms_of 0) == "$expected" ]]'
hbs_wait_for "controller-1 keeps a copy" 5 '[[ $(alarms_of 1) == "$expected" ]]'
# The table is written at most every 100 ms (an alarm storm is one write).
hbs_wait_for "controller-0's file" 2 '[[ $(file_of 0) == "$expected" ]]'
hbs_wait_for "controller-1's file" 2 '[[ $(file_of 1) == "$expected" ]]'
hbs_ctl_on 0 alarms
echo "raised on the active agent and copied to the inactive one"

echo "== SIGKILL and restart the inactive agent (controller-1)"
hbs_kill "${HBS_AGENT_PIDS[1]}"
sleep 0.5
hbs_start_agent 1
hbs_wait_for "controller-1 back" 10 'hbs_ctl_on 1 status >/dev/null 2>&1'
[[ $(alarms_of 1) == "$expected" ]] || hbs_fail "controller-1 lost alarms: $(alarms_of 1)"
sleep 2
[[ $(alarms_of 0) == "$expected" ]] || hbs_fail "controller-0 changed: $(alarms_of 0)"
[[ $(alarms_of 1) == "$expected" ]] || hbs_fail "controller-1 changed: $(alarms_of 1)"
echo "restarting the inactive agent cleared nothing"

echo "== SIGKILL and restart the active agent (controller-0)"
hbs_kill "${HBS_AGENT_PIDS[0]}"
sleep 0.5
hbs_start_agent 0
hbs_wait_for "controller-0 back" 10 'hbs_ctl_on 0 status >/dev/null 2>&1'
[[ $(alarms_of 0) == "$expected" ]] || hbs_fail "controller-0 lost alarms: $(alarms_of 0)"
sleep 3 # every healthy host passes ten periods, worker-0 is still dead
[[ $(alarms_of 0) == "$expected" ]] || hbs_fail "after restart: $(alarms_of 0)"
[[ $(file_of 0) == "$expected" ]] || hbs_fail "controller-0 file after restart: $(file_of 0)"
[[ $(hbs_ctl_on 0 role) == active ]] || hbs_fail "controller-0 is not active after restart"
echo "restarting the active agent lost nothing"

echo "== worker-0 comes back: cleared on both"
hbs_start_client 2
hbs_wait_for "alarms cleared on controller-0" 10 '[[ $(alarms_of 0) == "[]" ]]'
hbs_wait_for "and on controller-1's copy" 5 '[[ $(alarms_of 1) == "[]" ]]'
hbs_wait_for "controller-1's file emptied" 2 '[[ $(file_of 1) == "[]" ]]'
grep -c '"kind":"alarm_clear"' "$HBS_DIR/state-0/events.jsonl" >/dev/null ||
  hbs_fail "no alarm_clear events"
echo "PASS alarms-survive-restarts"
