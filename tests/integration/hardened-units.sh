#!/usr/bin/env bash
# The hardened systemd units hold: (1) systemd-analyze security rates each unit no worse than
# the exposure recorded here (and in the README); (2) a controller pair and two clients run
# with only the capabilities their unit leaves (setpriv: bounding set, no new privileges):
# SCHED_RR, forced receive buffers and the control socket's group all still work; (3) every
# system call they make, traced through start, heartbeat, commands, SIGHUP and stop, is in
# their unit's SystemCallFilter. No systemd needed (none runs in CI). Loopback only.
set -euo pipefail
build=$(cd "${1:?usage: hardened-units.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# Exposure x10 (systemd 252 --offline): before hardening both were 96 (9.6 UNSAFE).
max_exposure=(agent 26 client 22)
dir=$(mktemp -d /tmp/hbs-hardened.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do pkill -TERM -P "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in systemd-analyze setpriv strace chrt ss; do
  command -v "$tool" >/dev/null || fail "$tool is needed (scripts/setup installs it)"
done
((EUID == 0)) || { echo "SKIP hardened-units: needs root (capabilities, SCHED_RR)"; exit 0; }

unit() { sed "s|@bindir@|$build|g; s|@datadir@|/usr/share|g" "$root/config/systemd/hbs-$1.service.in"; }
for what in agent client; do unit "$what" >"$dir/hbs-$what.service"; done

# (1) The exposure score.
declare -A limit=([agent]=${max_exposure[1]} [client]=${max_exposure[3]})
for what in agent client; do
  score=$(systemd-analyze security --offline=true "$dir/hbs-$what.service" 2>&1 |
    sed -n 's/.*Overall exposure level for hbs-[a-z]*.service: \([0-9.]*\).*/\1/p')
  [[ -n $score ]] || fail "systemd-analyze security gave no score for hbs-$what.service"
  systemd-analyze security --offline=true --threshold="${limit[$what]}" \
    "$dir/hbs-$what.service" >/dev/null 2>&1 ||
    fail "hbs-$what.service exposure $score is worse than the recorded $((limit[$what] / 10)).$((limit[$what] % 10))"
  echo "ok: hbs-$what.service exposure $score (recorded limit $((limit[$what] / 10)).$((limit[$what] % 10)))"
done

# What a unit leaves: its capabilities as setpriv takes them, its allowed system calls.
caps_of() { # UNIT_FILE
  sed -n 's/^CapabilityBoundingSet=//p' "$1" | tr ' ' '\n' | sed 's/^CAP_//' |
    tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd, -
}
expand() { # a system call group, recursively
  systemd-analyze syscall-filter "$1" | sed -n 's/^ \+//p' | grep -v '^#' | while read -r s; do
    if [[ $s == @* ]]; then expand "$s"; else echo "$s"; fi
  done
}
filter=$(sed -n 's/^SystemCallFilter=//p' "$dir/hbs-agent.service")
[[ $filter == "$(sed -n 's/^SystemCallFilter=//p' "$dir/hbs-client.service")" ]] ||
  fail "the units' SystemCallFilter differ; this test assumes one"
expand "$filter" | sort -u >"$dir/allowed"
echo "ok: $filter allows $(wc -l <"$dir/allowed") system calls"

# (2) A pair and two clients, each with only its unit's capabilities, traced.
"$root/scripts/hbs-keys" --out "$dir/keys" >/dev/null
base=29700
nets() { # ADDRESS_SUFFIX
  printf '[networks.management]\nlocal_address = "127.0.44.%d"\nmode = "unicast"\n' "$1"
  printf 'client_port = %d\nagent_port = %d\n' $((base + 6)) $((base + 3))
  printf '[pulse_auth]\nmode = "require"\nkey_file = "%s/keys/pulse.key"\n' "$dir"
}
for me in 0 1; do
  {
    printf '[agent]\ncontroller = "controller-%d"\nstate_dir = "%s/state-%d"\n' $me "$dir" $me
    printf 'control_socket = "%s/agent-%d.sock"\ncontrol_group = "users"\n' "$dir" $me
    printf 'control_token = "%s/token-%d"\nlock_file = ""\nscheduling_priority = 1\n' "$dir" $me
    printf '[sm]\naddress = "127.0.45.%d"\nserver_port = %d\nclient_port = %d\n' \
      $((me + 1)) $((base + 24)) $((base + 25))
    printf '[peer]\naddress = "127.0.44.%d"\nport = %d\n' $((2 - me)) $((base + 51))
    printf 'tls_certificate = "%s/keys/controller-%d.pem"\ntls_ca = "%s/keys/ca.crt"\n' \
      "$dir" $me "$dir"
    nets $((me + 1))
    for k in 0 1; do
      printf '[[hosts]]\nname = "worker-%d"\ntype = "worker"\nmanagement = "127.0.44.%d"\n' \
        $k $((10 + k))
    done
  } >"$dir/agent-$me.toml"
done
for k in 0 1; do
  { printf '[client]\npmon_port = 0\nhost = "worker-%d"\nscheduling_priority = 45\n' $k; nets $((10 + k)); } \
    >"$dir/client-$k.toml"
done
start() { # WHAT NAME CONFIG
  setpriv --bounding-set=-all,"$(caps_of "$dir/hbs-$1.service")" --no-new-privs \
    strace -f -qq -c -o "$dir/$2.syscalls" "$build/hbs-$1" --config "$3" >"$dir/$2.log" 2>&1 &
  pids+=($!)
}
for k in 0 1; do start client "client-$k" "$dir/client-$k.toml"; done
for me in 0 1; do start agent "agent-$me" "$dir/agent-$me.toml"; done
ctl() { local me=$1; shift; "$build/hbsctl" --config "$dir/agent-$me.toml" "$@"; }
deadline=$((SECONDS + 30))
until ctl 0 status --json 2>/dev/null | jq -e '.networks[0].responding == 2' >/dev/null &&
      ctl 1 peer --json 2>/dev/null | jq -e .link_up >/dev/null; do
  ((SECONDS < deadline)) || fail "the hardened processes did not heartbeat: $(tail -5 "$dir"/*.log)"
  sleep 0.5
done
echo "ok: two agents (TLS peer link, signed pulses) and two clients heartbeat with their unit's capabilities"

agent=$(pgrep -f "hbs-agent --config $dir/agent-0.toml" | tail -1)
client=$(pgrep -f "hbs-client --config $dir/client-0.toml" | tail -1)
chrt -p "$agent" | grep -q "SCHED_RR" || fail "the agent is not SCHED_RR: $(chrt -p "$agent")"
chrt -p "$client" | grep -q "SCHED_RR" || fail "the client is not SCHED_RR: $(chrt -p "$client")"
! grep -qi "scheduling.*\(refused\|cannot\|fail\)" "$dir"/*.log ||
  fail "a process could not take SCHED_RR: $(grep -i scheduling "$dir"/*.log)"
rb=$(ss -uamnp | grep -A1 "127.0.44.1:$((base + 3))" | grep -o 'rb[0-9]*' | head -1 | tr -d rb)
((rb >= 4194304)) || fail "the agent's receive buffer is $rb bytes: SO_RCVBUFFORCE refused"
[[ $(stat -c %G "$dir/agent-0.sock") == users ]] || fail "control socket group not set"
echo "ok: SCHED_RR on agent and client, agent receive buffer $rb bytes, control socket group users"
# The metrics exposer's HTTP threads run below the heartbeat: the normal policy at nice 19,
# never the agent's SCHED_RR (a scrape formats megabytes of text at 10,000 hosts).
web=0
for p in $(pgrep -f "hbs-agent --config $dir/agent-"); do
  for t in /proc/"$p"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == civetweb* ]] || continue
    web=$((web + 1))
    pol=$(chrt -p "${t##*/}" | head -1) nice=$(awk '{print $19}' "$t/stat")
    [[ $pol == *SCHED_OTHER* && $nice == 19 ]] ||
      fail "metrics thread $(cat "$t/comm") runs as '$pol', nice $nice"
  done
done
((web > 0)) || fail "no metrics exposer thread found in either agent"
echo "ok: the metrics exposer's $web thread(s) at the normal policy, nice 19"

# Commands that write state, a reload, a stop and start of a host: the traced paths.
ctl 0 --token-file "$dir/token-0" stop worker-1 >/dev/null
ctl 0 --token-file "$dir/token-0" start worker-1 >/dev/null
ctl 0 --token-file "$dir/token-0" tune --loss 12 >/dev/null
kill -HUP "$agent"
ctl 1 dump >/dev/null
sleep 2
for p in $(pgrep -f "hbs-(agent|client) --config $dir/"); do kill -TERM "$p"; done
for p in "${pids[@]}"; do wait "$p" || true; done
pids=()

# (3) Every system call made is allowed.
for f in "$dir"/*.syscalls; do
  awk '$NF ~ /^[a-z_0-9]+$/ && $NF != "syscall" && $NF != "total" {print $NF}' "$f"
done | sort -u >"$dir/used"
[[ $(wc -l <"$dir/used") -gt 20 ]] || fail "strace recorded too little: $(cat "$dir"/*.syscalls)"
denied=$(comm -23 "$dir/used" "$dir/allowed")
[[ -z $denied ]] || fail "system calls outside $filter: $denied"
echo "ok: all $(wc -l <"$dir/used") system calls the daemons made are within $filter:" $(cat "$dir/used")
echo "PASS hardened-units"
