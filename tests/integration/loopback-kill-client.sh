#!/usr/bin/env bash
# Real processes on loopback: one hbs-agent, three hbs-client processes on distinct 127.x
# addresses. SIGKILL one client: a loss event for it within 11 periods and none for the
# others; its alarm is written; restart it: recovered. The agent may run on one CPU only
# (a cpuset, taskset): one scheduler worker, the events file and the alarm table written on
# threads of their own. Traffic stays on 127.0.0.0/8 (unicast mode).
set -euo pipefail
build=${1:?usage: loopback-kill-client.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
HBS_AGENT_CPUS=$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//') # the first CPU this shell has
hbs_setup_cluster "$build" 3 21000
hbs_wait_for "the agent on one CPU with one worker" 5 \
  'grep -q "scheduling: 1 worker thread(s) (1 CPU(s) allowed)" "$HBS_DIR/agent.log"'

hbs_wait_for "all three hosts responding" 10 \
  'hbs_ctl status --json | jq -e ".networks[0].responding == 3" >/dev/null'
sleep 1
if hbs_events | grep -q '"kind":"\(minor_set\|degrade_set\|loss\)"'; then
  hbs_fail "transitions on a healthy cluster: $(hbs_events)"
fi

kill_ms=$(date +%s%3N)
hbs_kill "${HBS_CLIENT_PIDS[1]}"
hbs_wait_for "loss event for worker-1" 5 \
  'hbs_events | grep "\"kind\":\"loss\"" | grep -q "\"host\":\"worker-1\""'
loss_ms=$(hbs_events | grep '"kind":"loss"' | grep '"host":"worker-1"' | head -1 |
  jq -r .time_ms)
delta=$((loss_ms - kill_ms))
echo "loss event ${delta} ms after SIGKILL (period 100 ms)"
# The kill lands inside a period, so loss comes 1000..1100 ms later (10 misses, the 10th
# period closing); 50 ms more allows for process scheduling on a loaded 2-core CI machine.
(( delta <= 1150 )) || hbs_fail "loss took ${delta} ms, more than 11 periods"
(( delta >= 900 )) || hbs_fail "loss after only ${delta} ms: fewer than 10 missed periods"
if hbs_events | grep '"kind":"loss"' | grep -vq '"host":"worker-1"'; then
  hbs_fail "loss reported for a healthy host: $(hbs_events | grep loss)"
fi
hbs_wait_for "worker-1's alarm in the alarm table on disk" 2 \
  'jq -e "tostring | contains(\"worker-1\")" "$HBS_DIR/state/alarms.json" >/dev/null'

hbs_start_client 1
hbs_wait_for "worker-1 recovered" 5 \
  'hbs_events | grep "\"kind\":\"recovered\"" | grep -q "\"host\":\"worker-1\""'
hbs_ctl host worker-1
echo "PASS loopback-kill-client"
