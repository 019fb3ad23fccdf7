# Shared helpers for loopback integration tests: generate configs, start and always stop
# the processes, wait with a deadline. Everything binds 127.x addresses only.

hbs_fail() { echo "FAIL: $*" >&2; exit 1; }

# HBS_AGENT_EXTRA: more lines for the agent's [agent] table.
hbs_setup_cluster() { # BUILD_DIR NUM_CLIENTS BASE_PORT
  HBS_BUILD=$1
  HBS_N=$2
  HBS_PORT_BASE=$3
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
  local mp=$((HBS_PORT_BASE + 1)) ap=$((HBS_PORT_BASE + 2))
  cat >"$HBS_DIR/agent.toml" <<TOML
[agent]
controller = "controller-0"
state_dir = "$HBS_DIR/state"
control_socket = "$HBS_DIR/agent.sock"
control_token = "$HBS_DIR/control.token"
lock_file = "$HBS_DIR/locked"
${HBS_AGENT_EXTRA:-}

[sm]
server_port = $((HBS_PORT_BASE + 3))
client_port = $((HBS_PORT_BASE + 4))

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
pmon_port = 0 # no process monitor here: the flag stays on
host = "worker-$i"

[networks.management]
local_address = "127.0.10.$((i + 1))"
mode = "unicast"
client_port = $mp
agent_port = $ap
TOML
  done
  for ((i = 0; i < HBS_N; i++)); do hbs_start_client "$i"; done
  local on=() # HBS_AGENT_CPUS: the agent's CPU list (taskset -c), as a cpuset would confine it
  [[ -n ${HBS_AGENT_CPUS:-} ]] && on=(taskset -c "$HBS_AGENT_CPUS")
  "${on[@]}" "$HBS_BUILD/hbs-agent" --config "$HBS_DIR/agent.toml" --stop-with $$ \
    >"$HBS_DIR/agent.log" 2>&1 &
  HBS_AGENT_PID=$!
}

hbs_start_client() { # INDEX
  # Started through setsid so a SIGKILL of one client is not reported by this shell.
  setsid "$HBS_BUILD/hbs-client" --config "$HBS_DIR/client-$1.toml" --stop-with $$ \
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
    for log in "$HBS_DIR"/agent*.log; do
      echo "--- $log (last 30 lines)"; tail -30 "$log" || true
    done
  fi
  rm -rf "$HBS_DIR" ${HBS_EXTRA_CLEANUP:-}
  exit $rc
}

# For scripts that start their own processes: TERM this shell's children, give them 5 s to
# exit (an agent writes its state files on the way out: removing the directory under it
# failed a run with "Directory not empty"), KILL the rest, then remove DIR.
hbs_stop_children_and_remove() { # DIR
  pkill -P $$ 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do pgrep -P $$ >/dev/null || break; sleep 0.1; done
  pkill -KILL -P $$ 2>/dev/null || true
  rm -rf "$1"
}

hbs_ctl() { "$HBS_BUILD/hbsctl" --config "$HBS_DIR/agent.toml" "$@"; }
hbs_events() { cat "$HBS_DIR/state/events.jsonl" 2>/dev/null || true; }

hbs_wait_for() { # WHAT SECONDS COMMAND
  local what=$1 deadline=$((SECONDS + $2))
  until eval "$3" 2>/dev/null; do
    ((SECONDS < deadline)) || hbs_fail "timed out waiting for $what"
    sleep 0.05
  done
}

# Two agents (controller-0/1) on management 127.0.30.x and cluster-host 127.0.31.x, plus a
# client on each controller and on NUM_WORKERS workers. SM of controller-N on 127.0.32.N+1.
hbs_setup_pair() { # BUILD_DIR NUM_WORKERS BASE_PORT
  HBS_BUILD=$1
  HBS_N=$2
  HBS_BASE=$3
  HBS_DIR=$(mktemp -d /tmp/hbs-it.XXXXXX)
  HBS_CLIENT_PIDS=()
  HBS_AGENT_PIDS=()
  HBS_AGENT_PID=
  trap hbs_teardown EXIT
  trap 'exit 130' INT TERM
  local names=(controller-0 controller-1) suffix=(1 2)
  for ((i = 0; i < HBS_N; i++)); do names+=("worker-$i"); suffix+=($((10 + i))); done
  HBS_NAMES=("${names[@]}")
  local hosts="" k
  for k in "${!names[@]}"; do
    local type=worker
    [[ ${names[k]} == controller-* ]] && type=controller
    hosts+=$'\n'"[[hosts]]"$'\n'"name = \"${names[k]}\""$'\n'"type = \"$type\""
    hosts+=$'\n'"management = \"127.0.30.${suffix[k]}\""
    hosts+=$'\n'"cluster-host = \"127.0.31.${suffix[k]}\""$'\n'
  done
  # The peer link runs over mutual TLS, as deployed: a cluster CA and one PEM per controller.
  "$(dirname "${BASH_SOURCE[0]}")/../../scripts/hbs-keys" --out "$HBS_DIR/tls" >/dev/null
  for me in 0 1; do
    cat >"$HBS_DIR/agent-$me.toml" <<TOML
[agent]
controller = "controller-$me"
role = "$([[ $me == 0 ]] && echo active || echo inactive)"
state_dir = "$HBS_DIR/state-$me"
control_socket = "$HBS_DIR/agent-$me.sock"
control_token = "$HBS_DIR/control.token"
lock_file = "$HBS_DIR/locked-$me"

[sm]
address = "127.0.32.$((me + 1))"
server_port = $((HBS_BASE + 10))
client_port = $((HBS_BASE + 11))

[peer]
address = "127.0.30.$((2 - me))"
cluster_address = "127.0.31.$((2 - me))"
port = $((HBS_BASE + 12))
tls_certificate = "$HBS_DIR/tls/controller-$me.pem"
tls_ca = "$HBS_DIR/tls/ca.crt"

[networks.management]
local_address = "127.0.30.$((me + 1))"
mode = "unicast"
client_port = $((HBS_BASE + 20))
agent_port = $((HBS_BASE + 21))

[networks.cluster-host]
local_address = "127.0.31.$((me + 1))"
mode = "unicast"
client_port = $((HBS_BASE + 22))
agent_port = $((HBS_BASE + 23))
$hosts
TOML
  done
  for k in "${!names[@]}"; do
    cat >"$HBS_DIR/client-$k.toml" <<TOML
[client]
pmon_port = 0 # no process monitor here: the flag stays on
host = "${names[k]}"

[networks.management]
local_address = "127.0.30.${suffix[k]}"
mode = "unicast"
client_port = $((HBS_BASE + 20))
agent_port = $((HBS_BASE + 21))

[networks.cluster-host]
local_address = "127.0.31.${suffix[k]}"
mode = "unicast"
client_port = $((HBS_BASE + 22))
agent_port = $((HBS_BASE + 23))
TOML
    hbs_start_client "$k"
  done
  hbs_start_agent 0
  hbs_start_agent 1
}

hbs_start_agent() { # CONTROLLER_NUMBER
  setsid "$HBS_BUILD/hbs-agent" --config "$HBS_DIR/agent-$1.toml" --stop-with $$ \
    >>"$HBS_DIR/agent-$1.log" 2>&1 &
  HBS_AGENT_PIDS[$1]=$!
  HBS_AGENT_PID="${HBS_AGENT_PIDS[*]}"
}

hbs_ctl_on() { # CONTROLLER_NUMBER ARGS...
  local me=$1
  shift
  "$HBS_BUILD/hbsctl" --config "$HBS_DIR/agent-$me.toml" "$@"
}

hbs_kill() { # PID: SIGKILL without the shell's job notice
  kill -KILL "$1"
  wait "$1" 2>/dev/null || true
}

# One agent and hbs-sim with NUM_HOSTS simulated hosts on both networks (loopback multicast,
# TTL 0). Ports from BASE_PORT: control +50, SM +24/+25, management +6/+3, cluster-host
# +16/+13. EXTRA_TOML is appended to the agent's [agent]-level tables; further arguments go
# to hbs-sim (e.g. --control-port, --scenario).
hbs_setup_sim() { # BUILD_DIR NUM_HOSTS BASE_PORT EXTRA_TOML [SIM_ARGS...]
  HBS_BUILD=$1
  local n=$2 b=$3 extra=$4
  shift 4
  HBS_DIR=$(mktemp -d /tmp/hbs-it.XXXXXX)
  HBS_CLIENT_PIDS=()
  HBS_AGENT_PID=
  HBS_PORT_BASE=$((b + 50))
  trap hbs_teardown EXIT
  {
    printf '[agent]\ncontroller = "controller-0"\nstate_dir = "%s/state"\n' "$HBS_DIR"
    printf 'control_socket = "%s/agent.sock"\ncontrol_token = "%s/control.token"\n' \
      "$HBS_DIR" "$HBS_DIR"
    printf 'lock_file = ""\n'
    printf '[sm]\nserver_port = %d\nclient_port = %d\n' $((b + 24)) $((b + 25))
    printf '%s\n' "$extra"
    printf '[networks.management]\nlocal_address = "127.0.0.1"\n'
    printf 'client_port = %d\nagent_port = %d\n' $((b + 6)) $((b + 3))
    printf '[networks.cluster-host]\nlocal_address = "127.0.0.2"\n'
    printf 'client_port = %d\nagent_port = %d\n' $((b + 16)) $((b + 13))
    "$HBS_BUILD/hbs-sim" --hosts "$n" --networks 2 --print-inventory
  } >"$HBS_DIR/agent.toml"
  "$HBS_BUILD/hbs-sim" --hosts "$n" --networks 2 --client-port $((b + 6)) \
    --agent-port $((b + 3)) --clstr-client-port $((b + 16)) --clstr-agent-port $((b + 13)) \
    "$@" >"$HBS_DIR/sim.out" 2>"$HBS_DIR/sim.err" &
  HBS_CLIENT_PIDS+=($!)
  "$HBS_BUILD/hbs-agent" --config "$HBS_DIR/agent.toml" --stop-with $$ >"$HBS_DIR/agent.log" 2>&1 &
  HBS_AGENT_PID=$!
  hbs_wait_for "$n hosts answering on both networks" 10 \
    "hbs_ctl status --json | jq -e '[.networks[].responding] == [$n,$n]' >/dev/null"
}
