#!/usr/bin/env bash
# The key files a configuration names are checked at start: a peer certificate that does not
# load, verify against the cluster CA or name this controller, and a pulse key that is
# missing, malformed or open to other users each stop hbs-agent (and hbs-client) with exit 2
# and one line saying what is wrong; good files start it. Loopback only; no pulse is sent to a
# host (the agents monitor no host).
set -euo pipefail
build=$(cd "${1:?usage: key-files.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/hbs-keyfiles.XXXXXX)
source "$(dirname "$0")/lib.sh"
trap 'hbs_stop_children_and_remove "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$here/../../scripts/hbs-keys" --out "$dir/tls" >/dev/null
"$here/../../scripts/hbs-keys" --out "$dir/other" >/dev/null # another cluster's CA

agent_toml() { # CERT CA PULSE_MODE PULSE_KEY
  cat <<TOML
[agent]
controller = "controller-0"
state_dir = "$dir/state"
control_socket = "$dir/agent.sock"
control_token = "$dir/control.token"
lock_file = ""
[sm]
enabled = false
[peer]
address = "127.0.41.2"
port = 29651
tls_certificate = "$1"
tls_ca = "$2"
[pulse_auth]
mode = "$3"
key_file = "$4"
[networks.management]
local_address = "127.0.41.1"
mode = "unicast"
client_port = 29652
agent_port = 29653
TOML
}

# The daemon must exit 2 within 5 s, its log naming the problem.
refused() { # WHAT EXPECTED_TEXT DAEMON CONFIG
  local rc=0 out
  out=$(timeout 5 "$build/$3" --config "$4" 2>&1) || rc=$?
  ((rc == 2)) || fail "$1: $3 exited $rc, expected 2: $out"
  grep -qF -- "$2" <<<"$out" || fail "$1: $3 did not say \"$2\": $out"
  echo "ok: $1 -> $(grep -F -- "$2" <<<"$out" | head -1 | sed 's/.*ERROR //')"
}

good_cert=$dir/tls/controller-0.pem ca=$dir/tls/ca.crt key=$dir/tls/pulse.key
t=$dir/agent.toml
agent_toml "$dir/tls/controller-1.pem" "$ca" off "$key" >"$t"
refused "the other controller's certificate" "does not name this controller" hbs-agent "$t"
agent_toml "$dir/other/controller-0.pem" "$ca" off "$key" >"$t"
refused "another cluster's certificate" "does not verify against" hbs-agent "$t"
agent_toml "$dir/missing.pem" "$ca" off "$key" >"$t"
refused "a missing certificate" "no certificate chain" hbs-agent "$t"
head -c 200 "$good_cert" >"$dir/cut.pem"
agent_toml "$dir/cut.pem" "$ca" off "$key" >"$t"
refused "a cut-off certificate file" "$dir/cut.pem" hbs-agent "$t"

agent_toml "$good_cert" "$ca" require "$dir/none.key" >"$t"
refused "a missing pulse key" "cannot read the pulse key $dir/none.key" hbs-agent "$t"
(umask 077; openssl rand -hex 16 >"$dir/short.key")
agent_toml "$good_cert" "$ca" require "$dir/short.key" >"$t"
refused "a 16-byte pulse key" "must be 64..128 hex digits" hbs-agent "$t"
cp "$key" "$dir/open.key"; chmod 0644 "$dir/open.key"
agent_toml "$good_cert" "$ca" accept "$dir/open.key" >"$t"
refused "a world-readable pulse key" "open to other users (mode 0644)" hbs-agent "$t"

cat >"$dir/client.toml" <<TOML
[client]
pmon_port = 0 # no process monitor here: the flag stays on
host = "worker-0"
[networks.management]
local_address = "127.0.41.10"
mode = "unicast"
client_port = 29662
agent_port = 29663
[pulse_auth]
mode = "require"
key_file = "$dir/open.key"
TOML
refused "a world-readable pulse key (client)" "open to other users" hbs-client "$dir/client.toml"

# Good files: the agent starts, says how pulses are authenticated, and stops cleanly.
agent_toml "$good_cert" "$ca" require "$key" >"$t"
"$build/hbs-agent" --config "$t" --stop-with $$ >"$dir/agent.log" 2>&1 &
agent=$!
for _ in $(seq 50); do grep -q "pulses authenticated" "$dir/agent.log" && break; sleep 0.1; done
grep -q "pulses authenticated: mode require" "$dir/agent.log" ||
  fail "the agent did not start with good files: $(cat "$dir/agent.log")"
kill -0 "$agent" || fail "the agent died: $(cat "$dir/agent.log")"
kill "$agent"; wait "$agent" || fail "the agent did not stop cleanly: $(tail -5 "$dir/agent.log")"
echo "ok: good files -> the agent runs (pulses authenticated, peer TLS) and stops cleanly"
