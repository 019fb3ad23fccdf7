# The fault matrix's cases (sourced by matrix.sh). Each case_* runs in its own subshell with
# set -e; tb_fail ends it. Shared-testbed cases start from a healthy cluster (matrix.sh
# heals between cases) and take a mark first: the events they assert are the ones past it.
#
# Event lines are "kind host network" (alarms: "... id severity"), as tb_summary prints them.
# Set events (minor_set, degrade_set, loss, failed, alarms, MNFA) come from the active agent
# (controller-0) only; the inactive one (controller-1) logs them. Clear events (minor_clear,
# degrade_clear, recovered) are not gated by activity (reference §5.4), so both write them.

# Fails unless controller ID's events past the mark are exactly the lines given (any order).
expect_events() { # ID LINE...
  local id=$1 want got
  shift
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  got=$(tb_summary "$id")
  if [[ $want != "$got" ]]; then
    echo "events of ${TB_HOST[$id]} differ from what is expected (- expected, + written):"
    diff <(echo "$want") <(echo "$got") | grep '^[<>]' | sed 's/^</  -/; s/^>/  +/'
    tb_fail "${TB_HOST[$id]}: unexpected events"
  fi
  echo "${TB_HOST[$id]}: $(echo "$got" | sed '/^$/d' | wc -l) events, exactly as expected"
}

has_event() { tb_summary "$1" | grep -qx "$2"; } # ID LINE

# The events a host's loss on one network makes on the active agent, and its recovery on
# each agent. NET is management or cluster-host; ALARM 200.005 or 200.009.
lost_on_active() { # HOST NET ALARM [failed|degrade-only]
  local h=$1 n=$2 a=$3
  [[ $n == management ]] && echo "minor_set $h $n"
  echo "degrade_set $h $n"
  echo "alarm_raise $h - $a major"
  echo "loss $h $n"
  echo "alarm_raise $h - $a critical"
  [[ ${4:-failed} == failed ]] && echo "failed $h $n"
  true
}
recovered_on_each() { # HOST NET [degrade-only: never failed, one response clears it]
  [[ ${3:-} == degrade-only ]] || echo "recovered $1 $2"
  echo "degrade_clear $1 $2"
  [[ $2 == management ]] && echo "minor_clear $1 $2"
  true
}

wait_event() { # ID LINE SECONDS
  tb_wait_for "${TB_HOST[$1]} to write '$2'" "$3" "has_event $1 '$2'"
}

no_alarms() { [[ $(tb_alarms c0) == "[]" && $(tb_alarms c1) == "[]" ]]; }

net_state() { # CONTROLLER_ID HOST NET: ok | minor | degraded | lost
  tb_ctl "$1" host "$2" --json | jq -r --arg n "$3" '.networks[] | select(.network == $n) | .state'
}

# ---------------------------------------------------------------------------- profiles

# All-in-one simplex: one controller, management on loopback, unicast; nothing to heartbeat.
case_profile_simplex() {
  tb_up "$build" simplex 0 0
  tb_wait_for "controller-0's agent answering" 10 'tb_ctl c0 status'
  local s
  s=$(tb_ctl c0 status --json)
  jq -e '.role == "active" and (.networks | length) == 1 and .networks[0].mode == "unicast"
         and .networks[0].local_address == "127.0.0.1" and .networks[0].expected == 0' \
    <<<"$s" >/dev/null || tb_fail "simplex status: $s"
  # No monitored host: the own history is never written (reference §4.2), a 12-byte vault.
  tb_ctl c0 sm-query 1 --json | jq -e '(.histories | length) == 0 and .bytes == 12' >/dev/null ||
    tb_fail "simplex vault: $(tb_ctl c0 sm-query 1 --json)"
  tb_alive c0 client || tb_fail "the client died: $(cat "$TB_DIR/c0/client.log")"
  sleep 1 # ten periods: nothing must happen on a cluster of one
  [[ -z $(tb_summary c0 'set|loss|failed|mnfa|alarm') ]] ||
    tb_fail "events on a simplex system: $(tb_summary c0)"
  tb_status_line c0
}

# All-in-one duplex: two controllers heartbeat each other on both networks, real multicast.
case_profile_duplex() {
  tb_up "$build" duplex 0 0
  tb_wait_for "both controllers see each other, peer link up" 15 tb_healthy
  local id
  for id in c0 c1; do
    tb_ctl "$id" sm-query 2 --json |
      jq -e '(.histories | length) == 4 and ([.histories[].newest_responding] | all(. == 1))' \
        >/dev/null || tb_fail "${TB_HOST[$id]} vault: $(tb_ctl "$id" sm-query 2 --json)"
    tb_status_line "$id"
  done
  [[ -z $(tb_summary c0 'set|loss|failed|mnfa|alarm') ]] || tb_fail "events: $(tb_summary c0)"
}

# ---------------------------------------------------------------------------- shared testbed

# Every host and both controllers start at once (a dead office coming back): full inventory
# on both agents, no host missed, no false event.
case_dead_office() {
  tb_stop_all KILL
  tb_mark
  local id barrier=$TB_DIR/barrier
  tb_hold "$barrier"
  for id in "${TB_NODES[@]}"; do tb_start "$id" client "$barrier"; done
  for id in "${TB_CONTROLLERS[@]}"; do tb_start "$id" agent "$barrier"; done
  sleep 0.3 # every process waiting on the barrier
  tb_release
  local t0=$SECONDS
  tb_wait_for "full inventory on both agents" 20 tb_healthy
  echo "every host answering both controllers, peer link up, $((SECONDS - t0)) s after start"
  for id in c0 c1; do
    tb_ctl "$id" hosts --json |
      jq -e '[.[] | .networks[] | select(.monitored) | .state == "ok"] | all' >/dev/null ||
      tb_fail "${TB_HOST[$id]}: a host not ok: $(tb_ctl "$id" hosts)"
    [[ $(tb_ctl "$id" hosts --json | jq '[.[] | select(.started)] | length') == \
       "$(tb_expected)" ]] || tb_fail "${TB_HOST[$id]}: not every host monitored"
  done
  # storage-0 is monitored: SM sees storage0_enabled, and every own history has it responding.
  tb_ctl c0 sm-query 3 --json | jq -e '.storage0_enabled' >/dev/null ||
    tb_fail "storage0_enabled not set: $(tb_ctl c0 sm-query 3 --json)"
  for id in c0 c1; do
    tb_wait_for "storage-0 responding in ${TB_HOST[$id]}'s own histories" 3 \
      "tb_ctl $id vault --json | jq -e '[.histories[] | select(.controller == ${id#c}) |
         .storage0_responding] == [true, true]'"
  done
  sleep 1.5 # fifteen more periods in which nothing may go wrong
  for id in c0 c1; do
    [[ -z $(tb_summary "$id" 'set|loss|failed|mnfa|alarm|clear|recovered') ]] ||
      tb_fail "${TB_HOST[$id]} wrote events at a dead-office start: $(tb_summary "$id")"
  done
  echo "no minor, degrade, loss, MNFA or alarm on either controller"
}

# A worker's management link cut on the switch: minor, degrade, loss and failed on the
# active agent, 200.005; the cluster-host network is untouched. Restored: recovered.
case_mgmt_cut_worker() {
  tb_link w0 mgmt down
  wait_event c0 "failed worker-0 management" 5
  [[ $(net_state c0 worker-0 cluster-host) == ok ]] || tb_fail "cluster-host affected"
  [[ $(net_state c1 worker-0 management) == lost ]] || tb_fail "controller-1 does not see it lost"
  tb_link w0 mgmt up
  wait_event c0 "recovered worker-0 management" 5
  wait_event c1 "recovered worker-0 management" 5
  tb_wait_for "alarms cleared" 5 no_alarms
  expect_events c0 $'\n'"$(lost_on_active worker-0 management 200.005)" \
    "$(recovered_on_each worker-0 management)" "alarm_clear worker-0 - 200.005 critical"
  expect_events c1 "$(recovered_on_each worker-0 management)"
}

# A worker's cluster-host link cut: degrade, loss and failed (no minor on cluster-host;
# clstr_degrade_only is off), 200.009. Management untouched.
case_clstr_cut_worker() {
  tb_link w1 clstr down
  wait_event c0 "failed worker-1 cluster-host" 5
  [[ $(net_state c0 worker-1 management) == ok ]] || tb_fail "management affected"
  tb_link w1 clstr up
  wait_event c0 "recovered worker-1 cluster-host" 5
  wait_event c1 "recovered worker-1 cluster-host" 5
  tb_wait_for "alarms cleared" 5 no_alarms
  expect_events c0 "$(lost_on_active worker-1 cluster-host 200.009)" \
    "$(recovered_on_each worker-1 cluster-host)" "alarm_clear worker-1 - 200.009 critical"
  expect_events c1 "$(recovered_on_each worker-1 cluster-host)"
}

# controller-1's cluster-host link cut on a standard system: a controller-type host's
# cluster-host loss only degrades it (reference §5.4): degrade_set, loss "degrade only",
# 200.009 critical, and no failed.
case_clstr_cut_controller_1() {
  tb_link c1 clstr down
  wait_event c0 "loss controller-1 cluster-host" 5
  local detail
  detail=$(tb_events_since c0 | jq -r 'select(.kind == "loss") | .detail')
  [[ $detail == "degrade only" ]] || tb_fail "the loss is not degrade-only: $detail"
  sleep 0.5 # a failed event would follow the loss at once
  has_event c0 "failed controller-1 cluster-host" && tb_fail "controller-1 failed by cluster-host"
  [[ $(net_state c0 controller-1 management) == ok ]] || tb_fail "management affected"
  tb_ctl c0 host controller-1
  tb_link c1 clstr up
  wait_event c0 "degrade_clear controller-1 cluster-host" 5
  tb_wait_for "alarms cleared" 5 no_alarms
  # controller-1 itself saw every host silent on cluster-host; it is inactive: no set event,
  # and the clears of its recovery on each host.
  wait_event c1 "recovered worker-0 cluster-host" 5
  local id c1_clears=() only
  for id in "${TB_NODES[@]}"; do
    [[ $id == c1 ]] && continue
    only=""
    [[ ${TB_TYPE[$id]} == controller ]] && only=degrade-only
    c1_clears+=("$(recovered_on_each "${TB_HOST[$id]}" cluster-host $only)")
  done
  expect_events c0 "$(lost_on_active controller-1 cluster-host 200.009 degrade-only)" \
    "$(recovered_on_each controller-1 cluster-host degrade-only)" \
    "alarm_clear controller-1 - 200.009 critical"
  local n
  n=$(printf '%s\n' "${c1_clears[@]}" | wc -l)
  tb_wait_for "controller-1's $n clears" 5 "[[ \$(tb_summary c1 | wc -l) -ge $n ]]"
  expect_events c1 "${c1_clears[@]}"
}
