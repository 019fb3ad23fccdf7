#!/usr/bin/env bash
# SIGUSR2 writes the node table, vault, MNFA and alarm state to the log; SIGHUP reloads the
# period and thresholds without losing the vault or host state; SIGTERM stops in reverse
# spawn order within 2 s with the events flushed.
set -euo pipefail
build=${1:?usage: signals.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
hbs_setup_cluster "$build" 3 26000
log=$HBS_DIR/agent.log
hbs_wait_for "three hosts responding" 10 \
  'hbs_ctl status --json | jq -e ".networks[0].responding == 3" >/dev/null'
sleep 2.2 # a full 20-entry history

echo "== SIGUSR2"
kill -USR2 "$HBS_AGENT_PID"
hbs_wait_for "the dump in the log" 5 'grep -q "state dump (requested)" "$log"'
hbs_wait_for "the whole dump" 5 'grep -q "dump: no heartbeat alarms" "$log"'
for want in "dump: HOST " "dump: worker-2 " "dump: vault of controller-0" "dump:   C0 Mgmnt" \
            "dump: MNFA idle"; do
  grep -q "$want" "$log" || hbs_fail "USR2 dump lacks '$want'"
done
echo "USR2 dump has the node table, vault, MNFA and alarms"

echo "== SIGHUP with a new period and thresholds"
before=$(hbs_ctl vault --json | jq -c '.histories[0].enabled | length')
pulses_before=$(hbs_ctl host worker-0 --json | jq '.networks[0].num_pulses')
sed -i 's/^\[agent\]$/[agent]\nperiod_ms = 200/' "$HBS_DIR/agent.toml"
python3 - "$HBS_DIR/agent.toml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("[networks.management]", "[thresholds]\nminor = 3\ndegrade = 5\nloss = 8\n\n[networks.management]", 1)
open(p, "w").write(s)
PY
kill -HUP "$HBS_AGENT_PID"
hbs_wait_for "the reload logged" 5 'grep -q "SIGHUP: period 100 -> 200 ms, thresholds 4/6/10 -> 3/5/8" "$log"'
[[ $(hbs_ctl period) == "period 200 ms (not backed off; configured 200 ms)" ]] ||
  hbs_fail "period after reload: $(hbs_ctl period)"
v=$(hbs_ctl vault --json)
[[ $(jq '.period_msec' <<<"$v") == 200 ]] || hbs_fail "vault period not updated"
(( $(jq '.histories[0].enabled | length' <<<"$v") >= before )) ||
  hbs_fail "the reload wiped the history: $v"
(( $(hbs_ctl host worker-0 --json | jq '.networks[0].num_pulses') > pulses_before )) ||
  hbs_fail "host counters lost on reload"
echo "reloaded: period 200 ms, history kept ($(jq '.histories[0].enabled | length' <<<"$v") entries)"
cp "$HBS_DIR/agent.toml" "$HBS_DIR/agent.toml.good"
printf 'period_ms = "slow"\n' >>"$HBS_DIR/agent.toml"
kill -HUP "$HBS_AGENT_PID"
hbs_wait_for "an invalid reload refused" 5 'grep -q "SIGHUP: config error, nothing reloaded" "$log"'
mv "$HBS_DIR/agent.toml.good" "$HBS_DIR/agent.toml" # hbsctl reads it too

echo "== SIGHUP takes only what was edited: hbsctl's period stays in force"
hbs_ctl tune --period 300 >/dev/null
sed -i 's/^loss = 8$/loss = 9/' "$HBS_DIR/agent.toml"
kill -HUP "$HBS_AGENT_PID"
hbs_wait_for "the loss edit logged" 5 \
  'grep -q "SIGHUP: period 300 -> 300 ms, thresholds 3/5/8 -> 3/5/9" "$log"'
[[ $(hbs_ctl status --json | jq -c '[.period_ms, .thresholds.loss]') == "[300,9]" ]] ||
  hbs_fail "after a loss-only edit: $(hbs_ctl status --json | jq -c '[.period_ms, .thresholds.loss]')"
echo "edited loss taken, hbsctl's period 300 ms kept"
hbs_ctl tune --period 200 >/dev/null

echo "== an edit the agent refuses counts again at the next SIGHUP"
hbs_ctl tune --degrade 8 --loss 12 >/dev/null
sed -i 's/^loss = 9$/loss = 7/' "$HBS_DIR/agent.toml" # a valid file; 3/8/7 in force is not
kill -HUP "$HBS_AGENT_PID"
hbs_wait_for "the refusal logged" 5 \
  '(( $(grep -c "SIGHUP: .*not below loss (7).*not reloaded" "$log") == 1 ))'
kill -HUP "$HBS_AGENT_PID"
hbs_wait_for "refused again, not forgotten" 5 \
  '(( $(grep -c "SIGHUP: .*not below loss (7).*not reloaded" "$log") == 2 ))'
t=$(hbs_ctl status --json | jq -c '[.thresholds.minor, .thresholds.degrade, .thresholds.loss]')
[[ $t == "[3,8,12]" ]] || hbs_fail "a refused edit changed the thresholds: $t"
sed -i 's/^loss = 7$/loss = 9/' "$HBS_DIR/agent.toml"
echo "refused twice, thresholds 3/8/12 kept"

echo "== the lock file (polled once a second)"
touch "$HBS_DIR/locked"
hbs_wait_for "locked by the file" 3 \
  '[[ $(hbs_ctl status --json | jq -r .role) == "active (locked)" ]]'
sent=$(hbs_ctl status --json | jq '.networks[0].num_requests')
sleep 0.6
[[ $(hbs_ctl status --json | jq '.networks[0].num_requests') == "$sent" ]] ||
  hbs_fail "requests sent while locked"
[[ $(hbs_ctl vault --json | jq '.histories | length') == 0 ]] ||
  hbs_fail "own history not zeroed while locked"
rm "$HBS_DIR/locked"
hbs_wait_for "unlocked when the file goes" 3 \
  '[[ $(hbs_ctl status --json | jq -r .role) == "active" ]]'
hbs_wait_for "heartbeat resumed" 3 \
  '(( $(hbs_ctl status --json | jq ".networks[0].num_requests") > sent ))'
echo "lock file: no requests and history zeroed while present, resumed when removed"

echo "== SIGTERM"
t0=$(date +%s%3N)
kill -TERM "$HBS_AGENT_PID"
timeout 5 tail -s 0.02 --pid="$HBS_AGENT_PID" -f /dev/null || hbs_fail "agent still running after 5 s"
took=$(( $(date +%s%3N) - t0 ))
echo "agent stopped in ${took} ms"
(( took <= 2000 )) || hbs_fail "shutdown took ${took} ms"
grep -q "stopping: 3 hosts, 1 networks, peer, SM gateway, vault, MNFA, alarms, store, events" "$log" ||
  hbs_fail "no ordered shutdown in the log"
[[ $(tail -1 "$HBS_DIR/state/events.jsonl" | jq -r .kind) == agent_stop ]] ||
  hbs_fail "events not flushed: $(tail -1 "$HBS_DIR/state/events.jsonl")"
HBS_AGENT_PID=
echo "PASS signals"
