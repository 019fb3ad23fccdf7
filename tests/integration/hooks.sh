#!/usr/bin/env bash
# Event hooks: a host loss runs its hook exactly once with the event as JSON on stdin and
# HBS_EVENT_* in the environment; a hook that hangs is killed at its timeout and one that
# fails is counted and logged, and neither holds heartbeating up. Loopback only (127.0.55.x).
set -euo pipefail
build=$(cd "${1:?usage: hooks.sh BUILD_DIR}" && pwd)
dir=$(mktemp -d /tmp/hbs-hooks.XXXXXX)
source "$(dirname "$0")/lib.sh"
trap 'hbs_stop_children_and_remove "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; tail -n 5 "$dir/agent.log" >&2; exit 1; }

cat >"$dir/record" <<SH
#!/bin/sh
read -r event
printf '%s %s %s\n' "\$HBS_EVENT_KIND" "\$HBS_EVENT_HOST" "\$event" >>"$dir/recorded"
SH
printf '#!/bin/sh\nsleep 30\n' >"$dir/hang"
printf '#!/bin/sh\nexit 3\n' >"$dir/fails"
chmod +x "$dir/record" "$dir/hang" "$dir/fails"
net() { printf '[networks.management]\nlocal_address = "127.0.55.%d"\nmode = "unicast"\n' "$1"
        printf 'client_port = 29806\nagent_port = 29803\n\n'; }
{ printf '[client]\npmon_port = 0\nhost = "worker-0"\nscheduling_priority = 0\n\n'; net 10; } >"$dir/client.toml"
{ printf '[agent]\ncontroller = "controller-0"\nstate_dir = "%s/state"\n' "$dir"
  printf 'control_socket = "%s/agent.sock"\ncontrol_token = "%s/control.token"\n' "$dir" "$dir"
  printf 'lock_file = ""\nscheduling_priority = 0\n\n[sm]\nenabled = false\n\n'
  printf '[metrics]\nenabled = false\n\n'
  net 1
  printf '[[hosts]]\nname = "worker-0"\ntype = "worker"\nmanagement = "127.0.55.10"\n\n'
  printf '[[hooks]]\nkinds = ["loss"]\ncommand = "%s/record"\n\n' "$dir"
  printf '[[hooks]]\nkinds = ["heartbeat_start"]\ncommand = "%s/hang"\ntimeout_ms = 300\n\n' "$dir"
  printf '[[hooks]]\nkinds = ["loss"]\ncommand = "%s/fails"\n' "$dir"
} >"$dir/agent.toml"
"$build/hbs-client" --config "$dir/client.toml" --stop-with $$ >"$dir/client.log" 2>&1 &
client=$!
"$build/hbs-agent" --config "$dir/agent.toml" --stop-with $$ >"$dir/agent.log" 2>&1 &
sleep 2
grep -q "hang (heartbeat_start event) killed after 300 ms" "$dir/agent.log" ||
  fail "the hanging hook was not killed at its time-out"
echo "ok: a hanging hook is killed at its time-out"

{ kill -KILL "$client"; wait "$client"; } 2>/dev/null || true
for _ in $(seq 40); do [[ -s $dir/recorded ]] && break; sleep 0.1; done
sleep 1 # a second run would show up by now
[[ -s $dir/recorded ]] || fail "the loss hook did not run"
(($(wc -l <"$dir/recorded") == 1)) || fail "the loss hook ran $(wc -l <"$dir/recorded") times"
read -r kind host json <"$dir/recorded"
[[ $kind == loss && $host == worker-0 ]] || fail "hook environment: '$kind' '$host'"
jq -e '.kind == "loss" and .host == "worker-0" and .network == "management" and .acted' \
  <<<"$json" >/dev/null || fail "hook stdin is not the loss event: $json"
echo "ok: the loss ran its hook once, the event on stdin and in the environment"

grep -q "fails (loss event) failed: exit 3" "$dir/agent.log" || fail "the failing hook went unlogged"
"$build/hbsctl" --config "$dir/agent.toml" status >/dev/null || fail "the agent stopped answering"
echo "ok: a failing hook is logged; the agent answers on"
