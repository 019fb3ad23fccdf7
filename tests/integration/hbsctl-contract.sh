#!/usr/bin/env bash
# hbsctl: every read command's --json shape and the documented exit codes (0 success,
# 1 refused by the agent, 2 bad command line, 3 agent unreachable).
set -euo pipefail
build=${1:?usage: hbsctl-contract.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
# Group "users" may inspect (control_group); other users may not, and no one without the
# control credential may change state.
HBS_AGENT_EXTRA='control_group = "users"' hbs_setup_cluster "$build" 2 27000
hbs_wait_for "two hosts responding" 10 \
  'hbs_ctl status --json | jq -e ".networks[0].responding == 2" >/dev/null'

shape() { # COMMAND... -- JQ_TEST
  local args=() test
  while [[ $1 != -- ]]; do args+=("$1"); shift; done
  test=$2
  local out
  out=$(hbs_ctl "${args[@]}" --json) || hbs_fail "hbsctl ${args[*]} --json failed"
  jq -e "$test" <<<"$out" >/dev/null || hbs_fail "hbsctl ${args[*]} --json: '$test' on $out"
  echo "ok: hbsctl ${args[*]} --json"
}
shape status -- '.controller == "controller-0" and .role == "active" and (.networks[0] |
  has("num_malformed") and has("num_unknown_source") and .mode == "unicast") and
  .failure_action == "fail" and .thresholds.loss == 10 and (.files | length) == 3 and
  ([.files[].ok] | all) and (.role_note | length) > 0 and has("epoch")'
shape hosts -- 'length == 2 and (.[0].networks[0] | has("state") and has("b2b") and
  has("num_pulses") and has("last_response_age_ms"))'
shape host worker-1 -- '.name == "worker-1" and .networks[0].network == "management"'
shape events 5 -- 'type == "array" and (.[0] | has("kind") and has("host") and has("time_ms"))'
out=$(timeout 5 "$build/hbsctl" --config "$HBS_DIR/agent.toml" events 3 --follow --for 1 --json) ||
  hbs_fail "events --follow"
jq -e 'type == "array" and length >= 1 and length <= 3' <<<"$(head -1 <<<"$out")" >/dev/null ||
  hbs_fail "events --follow --json: $out"
echo "ok: hbsctl events --follow --json"
shape vault -- 'has("histories") and has("sm_heartbeat_fail") and .period_msec == 100'
shape peer -- 'has("link_up") and .role == "active" and .designation == "controller-0" and
  has("epoch") and has("num_syncs")'
shape role -- '.role == "active"'
shape alarms -- 'type == "array"'
shape mnfa -- '.state == "idle" and .action == "fail" and has("tally") and has("pool")'
shape period -- '.period | startswith("period 100 ms")'
shape dump -- '.dump | contains("state dump")'
out=$("$build/hbsctl" sm-query 77 --json --sm-port 27003 --sm-reply-port 27004)
jq -e '.reqid == 77 and (.histories | length) == 1' <<<"$out" >/dev/null ||
  hbs_fail "sm-query --json: $out"
echo "ok: hbsctl sm-query --json"

code() { # EXPECTED COMMAND...
  local want=$1 rc=0
  shift
  "$@" >/dev/null 2>&1 || rc=$?
  ((rc == want)) || hbs_fail "exit $rc, expected $want: $*"
  echo "ok: exit $want: ${*#"$build/"}"
}
code 0 hbs_ctl add worker-9 worker 127.0.10.9
code 1 hbs_ctl add worker-9 worker 127.0.10.19           # duplicate name
code 0 hbs_ctl add worker-9 worker 127.0.10.9            # the same again: restated
code 1 hbs_ctl add worker-8 worker 127.0.10.9            # duplicate address
code 2 hbs_ctl add worker-8 router 127.0.10.8            # bad type
code 0 hbs_ctl start worker-9
code 0 hbs_ctl stop worker-9
code 0 hbs_ctl del worker-9
code 1 hbs_ctl host worker-9                             # unknown host
code 1 hbs_ctl activate controller-7
code 2 hbs_ctl action explode
code 0 hbs_ctl action degrade
code 0 hbs_ctl backoff
[[ $(hbs_ctl period) == "period 400 ms (backed off x4; configured 100 ms)" ]] ||
  hbs_fail "backoff: $(hbs_ctl period)"
code 0 hbs_ctl recover
code 0 hbs_ctl tune --loss 12
hbs_ctl status --json | jq -e '.thresholds == {"minor": 4, "degrade": 6, "loss": 12}' \
  >/dev/null || hbs_fail "tune --loss 12: $(hbs_ctl status --json | jq -c .thresholds)"
code 1 hbs_ctl tune --degrade 20                          # not below loss: refused
code 2 hbs_ctl tune --period 50                           # out of range
code 2 hbs_ctl tune                                       # states nothing: refused
code 0 hbs_ctl tune --loss 10
# Run-time changes are kept in control.json: the file wins nothing back after a restart.
jq -e '.action.value == "degrade" and (.hosts | map(select(.name == "worker-9")) |
  .[0].present == false)' "$HBS_DIR/state/control.json" >/dev/null ||
  hbs_fail "control.json: $(cat "$HBS_DIR/state/control.json")"
code 2 hbs_ctl frobnicate
code 2 hbs_ctl
code 3 "$build/hbsctl" --socket "$HBS_DIR/nobody.sock" status # nobody there
# Commands need the control credential; inspection does not.
code 3 hbs_ctl --token-file "$HBS_DIR/missing.token" stop worker-0 # cannot read it
printf '%064d\n' 7 >"$HBS_DIR/wrong.token"
code 1 hbs_ctl --token-file "$HBS_DIR/wrong.token" stop worker-0   # the agent refuses it
code 0 hbs_ctl --token-file "$HBS_DIR/missing.token" status
[[ $(stat -c %a "$HBS_DIR/control.token") == 600 ]] || hbs_fail "control.token is not 0600"
[[ $(stat -c %a:%G "$HBS_DIR/agent.sock") == 660:users ]] ||
  hbs_fail "agent.sock mode $(stat -c %a:%G "$HBS_DIR/agent.sock"), expected 660:users"
if ((EUID == 0)) && command -v setpriv >/dev/null; then
  # Another user, even with the socket file opened to all by mistake, is refused by its
  # peer credentials (SO_PEERCRED) before CAF sees a byte.
  chmod 0711 "$HBS_DIR"
  chmod 0666 "$HBS_DIR/agent.sock"
  code 3 setpriv --reuid=65534 --regid=65534 --clear-groups "$build/hbsctl" \
    --socket "$HBS_DIR/agent.sock" status
  grep -q "control socket: refused pid [0-9]* uid 65534" "$HBS_DIR/agent.log" ||
    hbs_fail "the refused user is not in the agent's log"
  echo "ok: another user is refused by its peer credentials and logged"
  # A member of the control group (a supplementary group, SO_PEERGROUPS) may inspect, and
  # is refused a change for want of the credential.
  chmod 0660 "$HBS_DIR/agent.sock"
  users=$(getent group users | cut -d: -f3)
  code 0 setpriv --reuid=65534 --regid=65534 --groups="$users" "$build/hbsctl" \
    --socket "$HBS_DIR/agent.sock" status
  code 3 setpriv --reuid=65534 --regid=65534 --groups="$users" "$build/hbsctl" \
    --socket "$HBS_DIR/agent.sock" --token-file "$HBS_DIR/control.token" stop worker-0
  chmod 0700 "$HBS_DIR"
  echo "ok: a member of control_group may inspect but not change state"
fi
code 0 "$build/hbsctl" --help
echo "PASS hbsctl-contract"
