#!/usr/bin/env bash
# The fault matrix on the namespace testbed. usage: matrix.sh BUILD_DIR [CASE...]
#
# Each case prints "testbed: PASS|FAIL|SKIP <case> (<seconds> s)"; scripts/test counts those
# lines, one pass or fail per case. Two small profiles get their own bring-up; the other
# cases share one "storage" testbed (2 controllers, 6 workers, storage-0/1), and between
# cases every fault is undone and the cluster must be healthy again (every host answering
# both controllers, peer link up, no alarms, no MNFA, period 100 ms) before the next starts;
# if it does not heal, the testbed is rebuilt. Each case asserts the exact events both
# controllers wrote (events.jsonl past a mark) and what the vault or SM query shows.
#
# Without root or namespaces every case is skipped with the reason (exit 0). TB_TRACE=1
# traces each case (set -x), for a failure that says nothing.
set -uo pipefail
build=$(cd "${1:?usage: matrix.sh BUILD_DIR [CASE...]}" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
export TB_PREFIX=${TB_PREFIX:-hbst-m-}
export TB_DIR=${TB_DIR:-/tmp/${TB_PREFIX}run}
source "$here/lib.sh"
source "$here/cases.sh"

all_cases=(profile-simplex profile-duplex dead-office-sim-1000 dead-office mgmt-cut-worker clstr-cut-worker
           clstr-cut-controller-1 controller-1-loses-mgmt controllers-partitioned
           switch-failure-mnfa loss-1pct loss-5pct kill-clients restart-agents-keep-alarms
           swact-restart-one-active partition-commands-converge restart-keeps-stopped-host
           rogue-agent-refused pulse-auth-forger starlingx-mode)
cases=("$@")
((${#cases[@]})) || cases=("${all_cases[@]}")
for c in "${cases[@]}"; do
  declare -F "case_${c//-/_}" >/dev/null || { echo "unknown case $c; cases: ${all_cases[*]}"; exit 2; }
done

if ! why=$(tb_can_run "$build"); then
  for c in "${cases[@]}"; do echo "testbed: SKIP $c (cannot run here: $why)"; done
  exit 0
fi
TB_LOSS_METHOD=$(tb_loss_method)
export TB_LOSS_METHOD

WORKERS=6 STORAGE=2
shared_up=0
results=()

# Undo every fault, restart what died, and wait until the cluster is healthy again.
heal() {
  tb_partition_controllers off
  [[ -n $TB_LOSS_METHOD ]] && tb_loss "$TB_LOSS_METHOD" 0
  local id
  tb_switch mgmt up
  tb_switch clstr up
  for id in "${TB_NODES[@]}"; do
    tb_link "$id" mgmt up
    tb_link "$id" clstr up
    tb_alive "$id" client || tb_start_client "$id"
  done
  for id in "${TB_CONTROLLERS[@]}"; do tb_alive "$id" agent || tb_start_agent "$id"; done
  ( tb_wait_for "a healthy cluster" 25 'tb_healthy &&
      [[ $(tb_ctl c0 role) == active && $(tb_ctl c1 role) == inactive ]] &&
      [[ $(tb_alarms c0) == "[]" && $(tb_alarms c1) == "[]" ]] &&
      tb_ctl c0 mnfa --json | jq -e ".state == \"idle\"" &&
      tb_ctl c0 status --json | jq -e "[.networks[].period_ms] == [100,100]" &&
      tb_ctl c1 status --json | jq -e "[.networks[].period_ms] == [100,100]"' )
}

shared_bring_up() {
  ((shared_up)) && return 0
  tb_up "$build" storage "$WORKERS" "$STORAGE"
  shared_up=1
  # The first case starts on a healthy cluster too: agents up, roles settled, all answering.
  heal 2>&1 | sed -u 's/^/  bring-up: /'
}

# Cases with a bring-up of their own (the shared testbed is taken down first).
standalone() {
  [[ $1 == profile-* || $1 == dead-office-sim-1000 || $1 == pulse-auth-forger ||
     $1 == starlingx-mode ]]
}

run_case() { # NAME
  local name=$1 fn=case_${1//-/_} t0 rc dt
  t0=$(date +%s%N)
  echo "== testbed case: $name"
  if ! standalone "$name"; then
    shared_bring_up
  elif ((shared_up)); then
    tb_stop_all; tb_clean_namespaces; shared_up=0
  fi
  ( set -Eeuo pipefail; ((${TB_TRACE:-0})) && set -x
    trap 'echo "FAIL: \"$BASH_COMMAND\" failed (exit $?)" >&2' ERR # never silent
    standalone "$name" || tb_mark; "$fn" ) 2>&1 | sed -u 's/^/  /'
  rc=${PIPESTATUS[0]}
  if ! standalone "$name" && ! heal 2>&1 | sed -u 's/^/  heal: /'; then
    echo "  heal: the cluster did not heal; rebuilding the testbed"
    tb_stop_all; tb_clean_namespaces; shared_up=0
  fi
  dt=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b-a)/1e9}')
  case $rc in
    0) results+=("PASS $name ($dt s)") ;;
    77) results+=("SKIP $name ($dt s)") ;;
    *) results+=("FAIL $name ($dt s)") ;;
  esac
  echo "testbed: ${results[-1]}"
}

trap 'exit 130' INT
trap 'exit 143' TERM
trap 'tb_down' EXIT
start=$SECONDS
for c in "${cases[@]}"; do run_case "$c"; done
echo "== testbed matrix: $((SECONDS - start)) s"
printf '  %s\n' "${results[@]}"
! printf '%s\n' "${results[@]}" | grep -q '^FAIL'
