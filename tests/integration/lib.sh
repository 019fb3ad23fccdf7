# Shared helpers for loopback integration tests: generate configs, start and always stop
# the processes, wait with a deadline. Everything binds 127.x addresses only.

hbs_fail() { echo "FAIL: $*" >&2; exit 1; }

hbs_setup_cluster() { # BUILD_DIR NUM_CLIENTS CONTROL_PORT
  HBS_BUILD=$1
  HBS_N=$2
  HBS_CTL_PORT=$3
  HBS_DIR=$(mktemp -d /tmp/hbs-it.XXXXXX)
  HBS_CLIENT_PIDS=()
  HBS_AGENT_PID=
  trap hbs_teardown EXIT
  trap 'exit 130' INT TERM
  local hosts=""
  for ((i = 0; i < HBS_N; i++)); do
    hosts+=$'\n'"[[hosts]]"$'\n'"name = \"worker-$i\""$'\n'"type = \"worker\""
    hosts+=$'\n'"management = \"127.0.10.$((i + 1))\""$'\n'
  done
  local mp=$((HBS_CTL_PORT + 1)) ap=$((HBS_CTL_PORT + 2))
  cat >"$HBS_DIR/agent.toml" <<TOML
[agent]
controller = "controller-0"
state_dir = "$HBS_DIR/state"
control_port = $HBS_CTL_PORT
lock_file = "$HBS_DIR/locked"

[sm]
server_port = $((HBS_CTL_PORT + 3))
client_port = $((HBS_CTL_PORT + 4))

[networks.management]
local_address = "127.0.10.100"
mode = "unicast"
client_port = $mp
agent_port = $ap
$hosts
TOML
  for ((i = 0; i < HBS_N; i++)); do
    cat >"$HBS_DIR/client-$i.toml" <<TOML
[client]
host = "worker-$i"

[networks.management]
local_address = "127.0.10.$((i + 1))"
mode = "unicast"
client_port = $mp
agent_port = $ap
TOML
  done
  for ((i = 0; i < HBS_N; i++)); do hbs_start_client "$i"; done
  "$HBS_BUILD/hbs-agent" --config "$HBS_DIR/agent.toml" >"$HBS_DIR/agent.log" 2>&1 &
  HBS_AGENT_PID=$!
}

hbs_start_client() { # INDEX
  # Started through setsid so a SIGKILL of one client is not reported by this shell.
  setsid "$HBS_BUILD/hbs-client" --config "$HBS_DIR/client-$1.toml" \
    >>"$HBS_DIR/client-$1.log" 2>&1 &
  HBS_CLIENT_PIDS[$1]=$!
}

hbs_teardown() {
  local rc=$?
  for pid in "${HBS_CLIENT_PIDS[@]}" $HBS_AGENT_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${HBS_CLIENT_PIDS[@]}" $HBS_AGENT_PID; do
    timeout 5 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  if ((rc != 0)); then
    echo "--- agent log (last 40 lines)"; tail -40 "$HBS_DIR/agent.log" || true
  fi
  rm -rf "$HBS_DIR"
  exit $rc
}

hbs_ctl() { "$HBS_BUILD/hbsctl" --port "$HBS_CTL_PORT" "$@"; }
hbs_events() { cat "$HBS_DIR/state/events.jsonl" 2>/dev/null || true; }

hbs_wait_for() { # WHAT SECONDS COMMAND
  local what=$1 deadline=$((SECONDS + $2))
  until eval "$3"; do
    ((SECONDS < deadline)) || hbs_fail "timed out waiting for $what"
    sleep 0.05
  done
}
