#!/usr/bin/env bash
# Run-time changes survive a restart and win over the file for what they changed; a corrupt
# state file is set aside (the file then rules, an error says so) and --reset-state sets the
# state aside on purpose. Real agent, three clients on loopback.
set -euo pipefail
build=${1:?usage: control-state-restart.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
hbs_setup_cluster "$build" 3 32000
state=$HBS_DIR/state
up() {
  hbs_wait_for "the agent answering" 10 'hbs_ctl status >/dev/null'
}
restart() { # [AGENT_ARGS...]
  kill -TERM "$HBS_AGENT_PID"
  wait "$HBS_AGENT_PID" 2>/dev/null || true
  "$build/hbs-agent" --config "$HBS_DIR/agent.toml" --stop-with $$ "$@" >>"$HBS_DIR/agent.log" 2>&1 &
  HBS_AGENT_PID=$!
  up
}
inventory() { hbs_ctl hosts --json | jq -c '[.[] | "\(.name) \(.started)"]'; }
up
hbs_ctl del worker-2
hbs_ctl stop worker-1
hbs_ctl action degrade
hbs_ctl tune --loss 12 --period 200

restart
[[ $(inventory) == '["worker-0 true","worker-1 false"]' ]] ||
  hbs_fail "inventory after restart: $(inventory)"
hbs_ctl status --json | jq -e '.failure_action == "degrade" and .period_ms == 200 and
  .thresholds.loss == 12' >/dev/null || hbs_fail "after restart: $(hbs_ctl status)"
grep -q "control state: host worker-2: absent (run time) wins over worker 127.0.10.3" \
  "$HBS_DIR/agent.log" || hbs_fail "the log does not say the state won for worker-2"
echo "ok: run-time changes kept over a restart (worker-2 deleted, worker-1 stopped, degrade,"
echo "    period 200 ms, loss 12), and the log says which source won"

printf '{"format":1,"generation":' >"$state/control.json" # cut mid-write by hand
restart
[[ $(inventory) == '["worker-0 true","worker-1 true","worker-2 true"]' ]] ||
  hbs_fail "inventory after a corrupt state: $(inventory)"
grep -q "control state .* unusable .* kept aside as .*control.json.corrupt-" "$HBS_DIR/agent.log" ||
  hbs_fail "no error for the corrupt state file"
ls "$state"/control.json.corrupt-* >/dev/null || hbs_fail "the corrupt file was not kept"
echo "ok: a corrupt state file is kept aside, the configuration file rules, the log says so"

hbs_ctl stop worker-0
restart --reset-state
[[ $(inventory) == '["worker-0 true","worker-1 true","worker-2 true"]' ]] ||
  hbs_fail "inventory after --reset-state: $(inventory)"
ls "$state"/control.json.reset-* >/dev/null || hbs_fail "--reset-state did not keep the file"
echo "ok: --reset-state sets the state aside"
echo "PASS control-state-restart"
