# The network-namespace testbed, as a sourced library (scripts/testbed and the fault matrix
# in tests/testbed/ use it).
#
# Layout: one namespace per node (controller-0/1, workers, storage hosts) and one more, the
# switch (${TB_PREFIX}sw), holding one bridge per monitored network: br-mgmt
# (192.168.204.0/24) and br-clstr (192.168.206.0/24). Every node has a veth pair per network:
# mgmt0 / clstr0 inside the node, m-<id> / c-<id> on the switch. Nothing is created in or
# attached to the root namespace: the veths are created inside the switch namespace, the
# bridges have no uplink, so datagrams (and real multicast, 239.1.1.2) stay in namespaces we
# own. A link cut is the switch-side veth down; a switch failure is a bridge down.
#
# Every name starts with TB_PREFIX (default "hbst-"); tb_up first removes anything a stale
# run with the same prefix left behind, and tb_down (trapped on EXIT, INT and TERM) kills
# every process started here (by pid) and deletes every namespace, which takes the veths and
# bridges with it.
#
# Processes are tracked in files ($TB_DIR/pids/<id>.agent|client) so subshells (one per
# matrix case) can restart them and the teardown still finds them.

TB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) # the repository
TB_PREFIX=${TB_PREFIX:-hbst-}
TB_SW=${TB_PREFIX}sw
TB_DIR=${TB_DIR:-/tmp/${TB_PREFIX}run}
TB_MGMT_NET=192.168.204
TB_CLSTR_NET=192.168.206
TB_GROUP=239.1.1.2
TB_KEEP=${TB_KEEP:-0}
TB_PERIOD_MS=${TB_PERIOD_MS:-100}
TB_MNFA_THRESHOLD=${TB_MNFA_THRESHOLD:-2}
TB_PULSE_AUTH=${TB_PULSE_AUTH:-off} # off | accept | require: every agent and client alike
TB_MODE=${TB_MODE:-standalone} # starlingx: agents under mtcAgent at $TB_MTC (issue 11)
TB_MTC=$TB_MGMT_NET.250        # the floating "controller" address in starlingx mode

tb_fail() { echo "FAIL: $*" >&2; exit 1; }
tb_log() { echo "testbed: $*"; }

# Prints why the testbed cannot run here and returns 1, or returns 0.
tb_can_run() { # BUILD_DIR
  local b=$1
  if ((EUID != 0)); then echo "not root: network namespaces need root"; return 1; fi
  command -v ip >/dev/null || { echo "ip (iproute2) missing"; return 1; }
  command -v jq >/dev/null || { echo "jq missing"; return 1; }
  local probe=${TB_PREFIX}probe
  ip netns del "$probe" 2>/dev/null || true
  if ! ip netns add "$probe" 2>/dev/null; then
    echo "cannot create a network namespace (ip netns add failed: not permitted here)"
    return 1
  fi
  if ! ip -n "$probe" link add tbprobe type bridge 2>/dev/null ||
     ! ip -n "$probe" link add tbva type veth peer name tbvb 2>/dev/null; then
    ip netns del "$probe"
    echo "cannot create bridges or veth pairs inside a namespace"
    return 1
  fi
  ip netns del "$probe"
  for bin in hbs-agent hbs-client hbsctl; do
    [[ -x $b/$bin ]] || { echo "$b/$bin not built"; return 1; }
  done
  return 0
}

# Loss emulation: tc netem when the kernel has sch_netem, else nftables' random drop on the
# switch's forward hook (one independent chance per packet per output port, like netem on
# the switch-side veth). Prints "netem", "nft" or nothing.
tb_loss_method() {
  local probe=${TB_PREFIX}probe m=""
  ip netns del "$probe" 2>/dev/null || true
  ip netns add "$probe" || return 0
  ip -n "$probe" link add tbva type veth peer name tbvb
  if ip netns exec "$probe" tc qdisc add dev tbva root netem loss 1% 2>/dev/null; then
    m=netem
  elif command -v nft >/dev/null &&
       ip netns exec "$probe" nft add table bridge tbprobe 2>/dev/null &&
       ip netns exec "$probe" nft add chain bridge tbprobe drops \
         '{ type filter hook forward priority 0; }' 2>/dev/null &&
       ip netns exec "$probe" nft add rule bridge tbprobe drops \
         numgen random mod 1000 '<' 10 drop 2>/dev/null; then
    m=nft
  fi
  ip netns del "$probe"
  echo "$m"
}

# ---------------------------------------------------------------------------- topology

# Fills TB_NODES (ids: c0 c1 w0.. s0..), TB_HOST/TB_TYPE/TB_MGMT/TB_CLSTR per id.
tb_plan() { # PROFILE WORKERS STORAGE
  TB_PROFILE=$1
  local workers=$2 storage=$3 i
  TB_NODES=()
  declare -gA TB_HOST=() TB_TYPE=() TB_MGMT=() TB_CLSTR=()
  case $TB_PROFILE in
    simplex) TB_NODES=(c0); workers=0; storage=0 ;;
    duplex) TB_NODES=(c0 c1); workers=0; storage=0 ;;
    standard) TB_NODES=(c0 c1); storage=0 ;;
    storage) TB_NODES=(c0 c1) ;;
    *) echo "unknown profile '$TB_PROFILE': simplex | duplex | standard | storage" >&2; return 2 ;;
  esac
  ((workers <= 120 && storage <= 50)) || { echo "at most 120 workers, 50 storage" >&2; return 2; }
  for ((i = 0; i < workers; i++)); do TB_NODES+=("w$i"); done
  for ((i = 0; i < storage; i++)); do TB_NODES+=("s$i"); done
  local id
  for id in "${TB_NODES[@]}"; do
    case $id in
      c*) TB_HOST[$id]=controller-${id#c}; TB_TYPE[$id]=controller; i=$((2 + ${id#c})) ;;
      w*) TB_HOST[$id]=worker-${id#w}; TB_TYPE[$id]=worker; i=$((10 + ${id#w})) ;;
      s*) TB_HOST[$id]=storage-${id#s}; TB_TYPE[$id]=storage; i=$((200 + ${id#s})) ;;
    esac
    if [[ $TB_PROFILE == simplex ]]; then
      TB_MGMT[$id]=127.0.0.1 # management on loopback, unicast (AIO-SX)
      TB_CLSTR[$id]=""
    else
      TB_MGMT[$id]=$TB_MGMT_NET.$i
      TB_CLSTR[$id]=$TB_CLSTR_NET.$i
    fi
  done
  TB_CONTROLLERS=(c0)
  [[ $TB_PROFILE == simplex ]] || TB_CONTROLLERS=(c0 c1)
}

tb_ns() { echo "${TB_PREFIX}$1"; }

# Kills every process inside our namespaces (by pid) and deletes the namespaces.
tb_clean_namespaces() {
  local ns pid
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${TB_PREFIX}" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
}

tb_build_network() {
  ip netns add "$TB_SW"
  ip -n "$TB_SW" link set lo up
  local net br
  if [[ $TB_PROFILE != simplex ]]; then
    for net in mgmt clstr; do
      br=br-$net
      ip -n "$TB_SW" link add "$br" type bridge
      # No IGMP snooping: the switch floods multicast to every port, so a port that comes
      # back after a cut hears the requests at once (no querier to wait for).
      ip -n "$TB_SW" link set "$br" type bridge mcast_snooping 0
      ip -n "$TB_SW" link set "$br" up
    done
  fi
  local id ns
  for id in "${TB_NODES[@]}"; do
    ns=$(tb_ns "$id")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
      net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
    [[ $TB_PROFILE == simplex ]] && continue
    ip -n "$TB_SW" link add "m-$id" type veth peer name mgmt0 netns "$ns"
    ip -n "$TB_SW" link add "c-$id" type veth peer name clstr0 netns "$ns"
    ip -n "$TB_SW" link set "m-$id" master br-mgmt up
    ip -n "$TB_SW" link set "c-$id" master br-clstr up
    ip -n "$ns" addr add "${TB_MGMT[$id]}/24" dev mgmt0
    ip -n "$ns" addr add "${TB_CLSTR[$id]}/24" dev clstr0
    ip -n "$ns" link set mgmt0 up
    ip -n "$ns" link set clstr0 up
    # The sockets pin their interface (IP_MULTICAST_IF); this route serves anything else.
    ip -n "$ns" route add 224.0.0.0/4 dev mgmt0
  done
}

# ---------------------------------------------------------------------------- configs

tb_pulse_auth_toml() { # the [pulse_auth] table every node gets (none when off)
  [[ $TB_PULSE_AUTH == off ]] && return 0
  printf '\n[pulse_auth]\nmode = "%s"\nkey_file = "%s/pulse.key"\n' "$TB_PULSE_AUTH" "$TB_DIR"
}

tb_networks_toml() { # ID: both multicast networks of one node, as agent and client read them
  printf '\n[networks.management]\nlocal_address = "%s"\nmode = "multicast"\n' "${TB_MGMT[$1]}"
  printf 'multicast_group = "%s"\n' "$TB_GROUP"
  printf '\n[networks.cluster-host]\nlocal_address = "%s"\nmode = "multicast"\n' "${TB_CLSTR[$1]}"
  printf 'multicast_group = "%s"\n' "$TB_GROUP"
}

tb_hosts_toml() {
  local id
  for id in "${TB_NODES[@]}"; do
    printf '\n[[hosts]]\nname = "%s"\ntype = "%s"\nmanagement = "%s"\n' \
      "${TB_HOST[$id]}" "${TB_TYPE[$id]}" "${TB_MGMT[$id]}"
    if [[ -n ${TB_CLSTR[$id]} ]]; then printf 'cluster-host = "%s"\n' "${TB_CLSTR[$id]}"; fi
  done
}

tb_write_configs() {
  local id me other system=standard
  [[ $TB_PROFILE == simplex || $TB_PROFILE == duplex ]] && system=aio
  for id in "${TB_NODES[@]}"; do
    mkdir -p "$TB_DIR/$id"
    if [[ $TB_PROFILE == simplex ]]; then
      cat >"$TB_DIR/$id/client.toml" <<TOML
[client]
pmon_port = 0 # no process monitor here: the flag stays on
host = "${TB_HOST[$id]}"

[networks.management]
local_address = "${TB_MGMT[$id]}"
mode = "unicast"
TOML
    else
      { printf '[client]\npmon_port = 0\nhost = "%s"\n' "${TB_HOST[$id]}"; tb_networks_toml "$id"
        tb_pulse_auth_toml; } >"$TB_DIR/$id/client.toml"
    fi
  done
  # The peer link runs over mutual TLS, as deployed (one cluster CA for the testbed).
  [[ $TB_PROFILE == simplex ]] || "$TB_ROOT/scripts/hbs-keys" --out "$TB_DIR/tls" >/dev/null
  [[ $TB_PULSE_AUTH == off ]] || (umask 077; openssl rand -hex 32 >"$TB_DIR/pulse.key")
  for id in "${TB_CONTROLLERS[@]}"; do
    me=${id#c}
    other=c$((1 - me))
    {
      cat <<TOML
[agent]
controller = "controller-$me"
period_ms = $TB_PERIOD_MS
system_type = "$system"
role = "$([[ $me == 0 ]] && echo active || echo inactive)"
state_dir = "$TB_DIR/$id/state"
control_socket = "$TB_DIR/$id/agent.sock"
control_token = "$TB_DIR/control.token"
lock_file = "$TB_DIR/$id/locked"
mode = "$TB_MODE"

[starlingx]
mtc_address = "$TB_MTC"
mtc_conf = ""
mtc_ini = ""
platform_conf = ""

[mnfa]
threshold = $TB_MNFA_THRESHOLD
TOML
      if [[ $TB_PROFILE == simplex ]]; then
        cat <<TOML

[networks.management]
local_address = "${TB_MGMT[$id]}"
mode = "unicast"
TOML
      else
        printf '\n[peer]\naddress = "%s"\ncluster_address = "%s"\n' "${TB_MGMT[$other]}" \
          "${TB_CLSTR[$other]}"
        printf 'tls_certificate = "%s/tls/controller-%s.pem"\ntls_ca = "%s/tls/ca.crt"\n' \
          "$TB_DIR" "$me" "$TB_DIR"
        tb_networks_toml "$id"
      fi
      tb_hosts_toml
      tb_pulse_auth_toml
    } >"$TB_DIR/$id/agent.toml"
    "$TB_BUILD/hbs-agent" --check --config "$TB_DIR/$id/agent.toml" >/dev/null ||
      { echo "generated $TB_DIR/$id/agent.toml is invalid" >&2; return 1; }
  done
}

# ---------------------------------------------------------------------------- processes

tb_pidfile() { echo "$TB_DIR/pids/$1.$2"; } # ID agent|client

tb_start() { # ID agent|client [BARRIER_FILE]
  local id=$1 what=$2 cfg gate=""
  cfg=$TB_DIR/$id/$what.toml
  # With a barrier the process waits for a shared lock on it and starts when tb_release
  # lets every waiting process go at the same instant.
  [[ -n ${3:-} ]] && gate="flock -s $3 true;"
  # Started from a subshell so it is not this shell's job (no "Killed" notices, any
  # subshell may kill it); setsid, ip netns exec and sh -c's exec keep one pid throughout.
  ( if [[ -n ${TB_HOLD_FD:-} ]]; then eval "exec ${TB_HOLD_FD}>&-"; fi
    # --stop-with: the daemon stops by itself when the script that owns the testbed ends,
    # however it ends (SIGKILL included), so no run leaves a cluster behind.
    setsid ip netns exec "$(tb_ns "$id")" sh -c "$gate exec \"\$0\" --config \"\$1\" \
      --stop-with \"\$2\"" "$TB_BUILD/hbs-$what" "$cfg" "$$" >>"$TB_DIR/$id/$what.log" 2>&1 &
    echo $! >"$(tb_pidfile "$id" "$what")" )
}
tb_start_agent() { tb_start "$1" agent; }
tb_start_client() { tb_start "$1" client; }

# A stock hbsClient in a node's place (tests/integration/stock_daemons.py: answers at the
# stock client's exact size, to the requester, over the multicast group on both networks),
# for SECONDS; tb_kill ID stock-mgmt / stock-clstr stops each half. It binds beside a
# running hbs-client (both share the group's port), so a swap need not leave a gap.
tb_start_stock_client() { # ID SECONDS
  local id=$1 py=$TB_ROOT/tests/integration/stock_daemons.py
  ( setsid ip netns exec "$(tb_ns "$id")" python3 "$py" --in-namespace clients \
      "${TB_MGMT[c0]}" 2106 2103 "$2" "${TB_HOST[$id]}=${TB_MGMT[$id]}@$TB_GROUP" \
      >>"$TB_DIR/$id/stock-mgmt.log" 2>&1 &
    echo $! >"$(tb_pidfile "$id" stock-mgmt)"
    setsid ip netns exec "$(tb_ns "$id")" python3 "$py" --in-namespace clients \
      "${TB_CLSTR[c0]}" 2116 2113 "$2" "${TB_HOST[$id]}=${TB_CLSTR[$id]}@$TB_GROUP" \
      >>"$TB_DIR/$id/stock-clstr.log" 2>&1 &
    echo $! >"$(tb_pidfile "$id" stock-clstr)" )
}

# A barrier for starting many processes at once: tb_hold FILE takes the lock, processes
# started with tb_start ... FILE wait on it, tb_release FILE lets them all go.
tb_hold() { exec {TB_HOLD_FD}>"$1"; flock -x "$TB_HOLD_FD"; }
tb_release() { flock -u "$TB_HOLD_FD"; exec {TB_HOLD_FD}>&-; unset TB_HOLD_FD; }

tb_pid() { cat "$(tb_pidfile "$1" "$2")" 2>/dev/null; }

tb_kill() { # ID agent|client [SIGNAL]
  local pid
  pid=$(tb_pid "$1" "$2") || return 0
  [[ -n $pid ]] || return 0
  kill -"${3:-KILL}" "$pid" 2>/dev/null || true
  timeout 5 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$(tb_pidfile "$1" "$2")"
}

tb_alive() { local pid; pid=$(tb_pid "$1" "$2") && [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; }

tb_start_all() {
  local id
  for id in "${TB_NODES[@]}"; do tb_start_client "$id"; done
  for id in "${TB_CONTROLLERS[@]}"; do tb_start_agent "$id"; done
}

tb_stop_all() { # [SIGNAL]
  local f pid
  for f in "$TB_DIR"/pids/*; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    kill -"${1:-TERM}" "$pid" 2>/dev/null || true
  done
  for f in "$TB_DIR"/pids/*; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    timeout 5 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

# ---------------------------------------------------------------------------- up / down

tb_up() { # BUILD_DIR PROFILE WORKERS STORAGE
  TB_BUILD=$(cd "$1" && pwd)
  tb_plan "$2" "$3" "$4" || return 2
  trap tb_down EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  tb_clean_namespaces # a stale run with our prefix
  rm -rf "$TB_DIR"
  mkdir -p "$TB_DIR/pids"
  tb_build_network
  tb_write_configs
  tb_start_all
}

tb_down() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -d $TB_DIR/pids ]] && tb_stop_all TERM
  tb_clean_namespaces
  if ((TB_KEEP)); then
    echo "testbed: kept $TB_DIR (configs, logs, state)"
  else
    rm -rf "$TB_DIR"
  fi
  exit $rc
}

# ---------------------------------------------------------------------------- faults

tb_link() { # ID mgmt|clstr up|down : the switch-side end of the node's veth
  local p=m
  [[ $2 == clstr ]] && p=c
  ip -n "$TB_SW" link set "$p-$1" "$3"
}

tb_switch() { ip -n "$TB_SW" link set "br-$1" "$2"; } # mgmt|clstr up|down

# The two controllers cannot reach each other directly (both networks); hosts still see
# both. nftables in both controller namespaces drops what comes from or goes to the other.
tb_partition_controllers() { # on|off
  local id other
  for id in c0 c1; do
    other=c$((1 - ${id#c}))
    ip netns exec "$(tb_ns "$id")" nft delete table inet hbst 2>/dev/null || true
    [[ $1 == on ]] || continue
    ip netns exec "$(tb_ns "$id")" nft -f - <<NFT
table inet hbst {
  chain in { type filter hook input priority 0; ip saddr { ${TB_MGMT[$other]}, ${TB_CLSTR[$other]} } drop; }
  chain out { type filter hook output priority 0; ip daddr { ${TB_MGMT[$other]}, ${TB_CLSTR[$other]} } drop; }
}
NFT
  done
}

# Random loss of PER_MILLE/1000 on every switch port's egress, both networks: a request and
# its response each cross one lossy egress (the host's port, then the controller's port).
tb_loss() { # METHOD PER_MILLE (0: off)
  local method=$1 pm=$2 dev
  if [[ $method == netem ]]; then
    for dev in $(ip -n "$TB_SW" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 |
                 grep -E '^[mc]-'); do
      ip netns exec "$TB_SW" tc qdisc del dev "$dev" root 2>/dev/null || true
      ((pm == 0)) && continue
      ip netns exec "$TB_SW" tc qdisc add dev "$dev" root netem \
        loss "$(awk -v p="$pm" 'BEGIN{printf "%.1f%%", p/10}')"
    done
  else
    ip netns exec "$TB_SW" nft delete table bridge hbst 2>/dev/null || true
    ((pm == 0)) && return 0
    ip netns exec "$TB_SW" nft -f - <<NFT
table bridge hbst {
  chain drops { type filter hook forward priority 0; numgen random mod 1000 < $pm drop; }
}
NFT
  fi
}

# ---------------------------------------------------------------------------- looking

tb_ctl() { # CONTROLLER_ID ARGS...
  local id=$1
  shift
  ip netns exec "$(tb_ns "$id")" "$TB_BUILD/hbsctl" --config "$TB_DIR/$id/agent.toml" "$@"
}

tb_events_file() { echo "$TB_DIR/$1/state/events.jsonl"; }

# Marks where every controller's events.jsonl ends now; tb_events_since reads past it.
tb_mark() {
  local id
  for id in "${TB_CONTROLLERS[@]}"; do
    TB_MARK[$id]=$(cat "$(tb_events_file "$id")" 2>/dev/null | wc -l)
  done
}
declare -A TB_MARK=()

tb_events_since() { # ID: the JSON lines after the mark
  tail -n +$((${TB_MARK[$1]:-0} + 1)) "$(tb_events_file "$1")" 2>/dev/null || true
}

# One line per event after the mark, sorted: KIND HOST NETWORK [ALARM SEVERITY]; an event
# the inactive agent wrote without acting on it (the MNFA episodes it follows) is
# KIND(followed). Role changes (role_active/role_inactive) only when KIND_REGEX names them.
tb_summary() { # ID [KIND_REGEX]
  tb_events_since "$1" |
    jq -r --arg re "${2:-.}" 'select(.kind | test($re)) |
      select(($re | test("role")) or (.kind | startswith("role_") | not)) |
      [.kind + (if .acted == false then "(followed)" else "" end),
       (if .host == "" then "-" else .host end),
       (if .network == "" then "-" else .network end)]
      + (if (.kind | startswith("alarm")) then (.detail | split(" ") | .[0:2])
         else [] end) | join(" ")' |
    sed 's/:$//' | sort
}

tb_wait_for() { # WHAT SECONDS COMMAND [SHOW: a command whose output the failure adds]
  local what=$1 deadline=$((SECONDS + $2))
  until eval "$3" >/dev/null 2>&1; do
    ((SECONDS < deadline)) ||
      tb_fail "timed out after $2 s waiting for $what${4:+: $(eval "$4" 2>&1)}"
    sleep 0.1
  done
}

# Number of hosts controller ID expects on each network (every node but itself).
tb_expected() { echo $((${#TB_NODES[@]} - 1)); }

# Every controller sees every other node on every network, and the peer link is up.
tb_healthy() {
  local id n
  n=$(tb_expected)
  for id in "${TB_CONTROLLERS[@]}"; do
    tb_ctl "$id" status --json |
      jq -e --argjson n "$n" '[.networks[] | .expected == $n and .responding == $n] | all' \
        >/dev/null || return 1
    if ((${#TB_CONTROLLERS[@]} == 2)); then
      tb_ctl "$id" peer --json | jq -e .link_up >/dev/null || return 1
    fi
  done
}

tb_alarms() { tb_ctl "$1" alarms --json | jq -c '[.[] | "\(.id) \(.host) \(.severity)"] | sort'; }

# A live view: role, period and responding counts per network, peer link, MNFA, alarms.
tb_status_line() { # CONTROLLER_ID
  local id=$1 s p m a
  s=$(tb_ctl "$id" status --json 2>/dev/null) || { echo "${TB_HOST[$id]}: agent unreachable"; return; }
  p=$(tb_ctl "$id" peer --json 2>/dev/null | jq -r 'if .link_up then "up" else "down" end')
  m=$(tb_ctl "$id" mnfa --json 2>/dev/null | jq -r .state)
  a=$(tb_ctl "$id" alarms --json 2>/dev/null | jq length)
  jq -r --arg p "${p:-?}" --arg m "${m:-?}" --arg a "${a:-?}" '
    "\(.controller) \(.role): " +
    ([.networks[] | "\(.network) \(.responding)/\(.expected) @\(.period_ms)ms"] | join(", ")) +
    "; peer link \($p); mnfa \($m); alarms \($a)"' <<<"$s"
}
