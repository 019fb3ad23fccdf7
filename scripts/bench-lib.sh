# Helpers of scripts/bench (sourced): process control, CPU from /proc, the agent's own
# figures through hbsctl, fault commands to hbs-sim, the SM probe, the kernel floor, results.
# Uses $dir, $networks, $window, $stamp, $sizes, pids and rows from the caller.

pids=()
stop_all() { # the agent first: hosts vanishing under a running agent is a storm, not a stop
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    timeout 5 tail --pid="${pids[i]}" -f /dev/null 2>/dev/null || kill -9 "${pids[i]}" 2>/dev/null
  done
  ((${#pids[@]} == 0)) || wait "${pids[@]}" 2>/dev/null || true # not the neighbour
  pids=()
}

# Where the processes run (scripts/bench --no-pin): hbs-sim stands for remote hosts, so by
# default it has the last core to itself and the controller's processes (agent, floor,
# neighbour, CPU probe) share the others. Unpinned, a receiver that the kernel put on the
# simulator's core read its datagrams warm from the sender's cache: the floor alone cost
# 8.9 % of a core there and 12.4-14.6 % on the other core (10,000 hosts x 2, 10 s windows),
# so agent/floor measured where each landed as much as what each did.
on_sim=() on_controller=() placement="left to the kernel"
place_processes() { # PIN (1: pin)
  local n
  n=$(nproc)
  (($1 && n >= 2)) || return 0
  on_sim=(taskset -c "$((n - 1))")
  on_controller=(taskset -c "0-$((n - 2))")
  placement="hbs-sim on core $((n - 1)), the agent, floor, neighbour and CPU probe on core"
  ((n > 2)) && placement+="s 0-$((n - 2))" || placement+=" 0"
}

# Another service on the controller: busy PERCENT % of one core in 10 ms cycles at the
# normal policy, for at most an hour (the bench stops it sooner).
neighbour_pid=
start_neighbour() { # PERCENT
  (($1 > 0)) || return 0
  "${on_controller[@]}" setpriv --pdeathsig KILL python3 -c 'import sys, time
share, end = int(sys.argv[1]) / 100, time.monotonic() + 3600
while time.monotonic() < end:
    t = time.perf_counter()
    while time.perf_counter() - t < 0.01 * share: pass
    time.sleep(0.01 * (1 - share))' "$1" &
  neighbour_pid=$!
}
stop_neighbour() {
  [[ -n $neighbour_pid ]] && kill "$neighbour_pid" 2>/dev/null
  neighbour_pid=
  return 0
}

# A spinner per core at SCHED_IDLE, for at most SECONDS: any woken process preempts it at
# once, but no core halts, so a wake-up does not include the CPU's exit from idle.
awake_pids=()
start_awake() { # SECONDS
  local i
  for ((i = 0; i < $(nproc); i++)); do
    setpriv --pdeathsig KILL chrt -i 0 timeout "$1" \
      setpriv --pdeathsig KILL sh -c 'while :; do :; done' &
    awake_pids+=($!)
  done
}
stop_awake() {
  ((${#awake_pids[@]} == 0)) || kill "${awake_pids[@]}" 2>/dev/null
  awake_pids=()
  return 0
}

# Nanoseconds on a CPU, all threads (schedstat: finer than clock ticks for the idle figure).
cpu_ns() {
  local t sum=0
  for t in /proc/"$1"/task/*/schedstat; do sum=$((sum + $(cut -d' ' -f1 "$t" 2>/dev/null || echo 0))); done
  echo "$sum"
}
# CPU time the hypervisor gave other guests (steal), all CPUs, in USER_HZ ticks: a window
# with much of it ran on a slower machine than its neighbours.
steal_ticks() { awk '$1 == "cpu" {print $9}' /proc/stat; }
steal_pct() { # TICKS0 TICKS1 SECONDS -> % of the machine's CPU time
  awk -v a="$1" -v b="$2" -v w="$3" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.2f", (b - a) * 100 / (hz * w * n)}'
}
pct() { awk -v a="$1" -v b="$2" -v w="$3" 'BEGIN {printf "%.2f", (b - a) / 1e7 / w}'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

write_agent_config() { # HOSTS
  printf '[agent]\ncontroller = "controller-0"\nstate_dir = "%s/state"\n' "$dir"
  printf 'events_max_mb = 0\n' # one events file: the counts below read it whole
  # By default the agent runs at the normal policy, --rt at the deployment's SCHED_RR 1.
  # The simulator stands for remote hosts: it always runs at SCHED_RR 45, above the agent
  # and its neighbour, which on one machine would otherwise delay the answers of thousands
  # of hosts at once (a 2-core simulator at the normal policy was late by 50+ ms thousands
  # of times a minute at 10,000 hosts: false events the agent did not cause). Not the
  # other way round: a real-time agent preempting a normal simulator on every datagram is
  # a ping-pong that says nothing about a cluster.
  printf 'control_socket = "%s/agent.sock"\ncontrol_token = "%s/control.token"\n' "$dir" "$dir"
  printf 'lock_file = ""\nscheduling_priority = %d\n\n' "$rt"
  printf '[sm]\nserver_port = 29024\nclient_port = 29025\n\n'
  printf '[metrics]\naddress = "127.0.0.1"\nport = 29070\nper_host = %s\n\n' \
    "$( ((${per_host:-1})) && echo true || echo false)"
  # MNFA as a large cluster would set it: 20 % of hosts. Ten crashes stay single failures
  # (detection time); the 80 % switch failure enters MNFA.
  printf '[mnfa]\nthreshold_percent = 20\n\n'
  printf '[pulse_auth]\nmode = "%s"\nkey_file = "%s/pulse.key"\n\n' "$auth" "$dir"
  printf '[networks.management]\nlocal_address = "127.0.0.1"\nclient_port = 29006\nagent_port = 29003\n\n'
  ((networks == 2)) &&
    printf '[networks.cluster-host]\nlocal_address = "127.0.0.2"\nclient_port = 29016\nagent_port = 29013\n\n'
  (($1 > 0)) && build/hbs-sim --hosts "$1" --networks "$networks" --print-inventory
  return 0
}

# The agent's own view: periods it could not judge, summed over networks, and periods it
# closed (judged or not), its slowest network's count. An agent that does not answer gives
# nulls (reported as unmeasured) and a warning, never zeros.
health() {
  local s
  if s=$(build/hbsctl --config "$dir/agent.toml" status --json 2>"$dir/hbsctl.err"); then
    jq -c '{stalled: ([.networks[].local_health | .num_stalled_short_window
                       + .num_stalled_socket_overflow] | add),
            busy_p50_us: ([.networks[].local_health.busy_p50_us] | max),
            busy_p99_us: ([.networks[].local_health.busy_p99_us] | max),
            busy_cpu_p50_us: ([.networks[].local_health.busy_cpu_p50_us] | max),
            busy_cpu_p99_us: ([.networks[].local_health.busy_cpu_p99_us] | max),
            periods: ([.networks[].local_health | .num_judged + .num_stalled_short_window
                       + .num_stalled_socket_overflow + .num_stalled_send_failed] | min)}' <<<"$s"
  else
    echo "bench: hbsctl status failed ($(head -c 200 "$dir/hbsctl.err")): figures unmeasured" >&2
    echo '{"stalled":null,"busy_p50_us":null,"busy_p99_us":null,"busy_cpu_p50_us":null,
          "busy_cpu_p99_us":null,"periods":null}'
  fi
}

# Events since SINCE_MS other than heartbeat_start: each one is false in a quiet window.
# No event file is an error (the agent did not write), not zero events.
false_events() { # SINCE_MS
  [[ -s $dir/state/events.jsonl ]] ||
    { echo "bench: no $dir/state/events.jsonl: false events unmeasured" >&2; echo null; return; }
  jq -s --argjson s "$1" '[.[] | select(.time_ms >= $s and .kind != "heartbeat_start")]
    | length' "$dir/state/events.jsonl"
}

# Waits (up to 30 s) until every host answers and no event but heartbeat_start came in the
# last 2 s: events of the start-up (clears after a slow first period) are not the quiet
# window's. Says how long it took, or that it never settled (the window then counts them).
settle() {
  local t0=$SECONDS now
  while ((SECONDS - t0 < 30)); do
    now=$(date +%s%3N)
    if build/hbsctl --config "$dir/agent.toml" status --json 2>/dev/null |
         jq -e '[.networks[] | .expected > 0 and .expected == .responding] | all' >/dev/null &&
       jq -se --argjson t $((now - 2000)) \
         '[.[] | select(.time_ms >= $t and .kind != "heartbeat_start")] | length == 0' \
         "$dir/state/events.jsonl" >/dev/null 2>&1; then
      echo "  ... settled $((SECONDS - t0)) s after the warm-up" >&2
      return
    fi
    sleep 0.5
  done
  echo "  ... not settled 30 s after the warm-up: its events count in the window" >&2
}

false_kinds() { # SINCE_MS: "kind count, ..." of the same events, for the progress lines
  jq -rs --argjson s "$1" '[.[] | select(.time_ms >= $s and .kind != "heartbeat_start")]
    | group_by(.kind) | map("\(.[0].kind) \(length)") | join(", ")' \
    "$dir/state/events.jsonl" 2>/dev/null || echo "unreadable"
}

# The hypervisor's steal every 100 ms ("ms ticks" lines in steal.trace) until stop_all: an
# event blamed on the agent is also counted when the machine lost much of a 100 ms slice of
# its window to other guests (a stolen CPU and a misjudging agent look alike to the bench).
steal_burst_pct=20
# Bash builtins only: the first version forked date, awk and sleep ten times a second, ~18 %
# of a core (/usr/bin/time over 10 s) beside the agent it measured on a 2-core machine.
# The sleep is a read that times out on a pipe nobody writes.
start_steal_trace() {
  setpriv --pdeathsig KILL bash -c 'exec {tick}<> <(:)
    while :; do
      read -r _ _ _ _ _ _ _ _ steal _ </proc/stat # the "cpu" line: its 8th figure is steal
      t=${EPOCHREALTIME/[.,]/}
      echo "${t:0:-3} $steal"
      read -rt 0.1 -u "$tick" _ || :
    done' >"$dir/steal.trace" 2>/dev/null &
  pids+=($!)
}

# The CPU's pace through the quiet window: a fixed job timed in CPU time every 500 ms
# (build/cpu-probe, ~2 ms a job). On this VM a fixed loop took 0.40 to 1.03 s of CPU time
# within 30 s with nothing else running and no steal reported, so CPU figures of different
# runs compare only beside it.
start_cpu_probe() { # SECONDS
  "${on_controller[@]}" setpriv --pdeathsig KILL build/cpu-probe --every-ms 500 \
    --seconds "$1" >"$dir/probe.out" 2>&1 &
  pids+=($!)
}

# {"p10", "median", "p90", "samples"} in µs from probe.out; fails when there is no reading.
cpu_probe_figures() {
  jq -Rnce '[inputs | select(startswith("probe ")) | split(" ")[1] | tonumber] | sort
    | if length == 0 then error("no probe reading")
      else {p10: .[(length * 0.1) | floor], median: .[length / 2 | floor],
            p90: .[(length * 0.9) | floor], samples: length} end' "$dir/probe.out" 2>/dev/null
}

# Who caused the events that blame hosts (minor, degrade, loss, MNFA) after SINCE_MS: the
# simulator, when in the periods the host missed it answered a request on that network 50 ms
# or more after it arrived or failed to send answers (it reports those, sim.out), else the
# agent. Alarms: degrade
# or loss events the active agent acted on. Prints "sim agent alarms agent_in_steal" (the
# last: of those blamed on the agent, how many had a 100 ms slice in their window with
# $steal_burst_pct % or more of the machine stolen); exits non-zero when a file does not parse.
# A simulator's report that counts: an answer 50 ms or more late, or one it could not send.
late_answer='(.late_ms >= 50 or .send_errors > 0)'

attribute() { # SINCE_MS
  # Through a file: a late simulator can report more than an argument list holds.
  { grep -F '"late_request"' "$dir/sim.out" || true; } | jq -sc 'map(.late_request)' \
    >"$dir/late.json" || return 1
  # Per network, the sorted receive times of late answers; an event looks one up by binary
  # search (a scan of every report per event took minutes: 250,000 events x 1,500 reports).
  [[ -f $dir/steal.trace ]] || : >"$dir/steal.trace"
  jq -rs --argjson s "$1" --slurpfile late_file "$dir/late.json" \
    --rawfile trace "$dir/steal.trace" --argjson hz "$(getconf CLK_TCK)" \
    --argjson cpus "$(nproc)" --argjson burst "$steal_burst_pct" '
    ($trace | split("\n") | map(select(test("^[0-9]+ [0-9]+$")) | split(" ") | map(tonumber)))
      as $t
    | [range(1; $t | length) as $i | ($t[$i][0] - $t[$i - 1][0]) as $dt
       | select($dt > 0 and ($t[$i][1] - $t[$i - 1][1]) * 100000 / ($hz * $dt * $cpus) >= $burst)
       | $t[$i][0]] as $bursts
    | def stolen_within($a; $b): ($bursts | bsearch($a)) as $i
        | (if $i < 0 then -1 - $i else $i end) as $j
        | $j < ($bursts | length) and $bursts[$j] <= $b;
    ($late_file[0] | map(select('"$late_answer"'))) as $q
    | ({"": ($q | map(.rx_ms) | sort)}
       + ($q | group_by(.network) | map({key: .[0].network, value: map(.rx_ms) | sort})
          | from_entries)) as $rx
    | def late_within($net; $a; $b): ($rx[$net] // []) as $v | ($v | bsearch($a)) as $i
        | (if $i < 0 then -1 - $i else $i end) as $j | $j < ($v | length) and $v[$j] <= $b;
    [.[] | select(.time_ms >= $s and (.kind | test("^(minor_set|degrade_set|loss|mnfa_enter)$")))]
    | map(. as $e | (if .kind == "mnfa_enter" then 1500 else (.b2b + 2) * 100 end) as $w
          | .sim = late_within($e.network // ""; $e.time_ms - $w; $e.time_ms)
          | .stolen = stolen_within($e.time_ms - $w; $e.time_ms + 100))
    | "\(map(select(.sim)) | length) \(map(select(.sim | not)) | length) " +
      "\(map(select(.acted and (.kind == "degrade_set" or .kind == "loss"))) | length) " +
      "\(map(select((.sim | not) and .stolen)) | length)"' \
    "$dir/state/events.jsonl"
}

# Between two wall-clock ms, "late unsent": requests the simulator answered 50 ms or more
# late (or could not answer all of), a window in which it, not the agent, set the pace; and
# the answers it could not send.
sim_window() { # FROM_MS TO_MS
  { grep -F '"late_request"' "$dir/sim.out" || true; } |
    jq -rs --argjson a "$1" --argjson b "$2" 'map(.late_request
      | select(.rx_ms >= $a and .rx_ms <= $b)) as $w
      | "\($w | map(select('"$late_answer"')) | length) \($w | map(.send_errors) | add // 0)"'
}

event_ms() { # KIND [HOST] -> time_ms of the first such event after $since
  jq -r --arg k "$1" --arg h "${2:-}" --argjson s "$since" \
    'select(.kind == $k and .time_ms >= $s and ($h == "" or .host == $h)) | .time_ms' \
    "$dir/state/events.jsonl" 2>/dev/null | head -1
}
wait_event() { # KIND HOST SECONDS
  local deadline=$((SECONDS + $3)) t
  while ((SECONDS < deadline)); do
    t=$(event_ms "$1" "$2"); [[ -n $t ]] && { echo "$t"; return; }; sleep 0.05
  done
}
# A command hbs-sim must take (it echoes each as JSON in sim.out); exits the bench if not.
sim_said() { # COMMAND
  local end=$((SECONDS + 3)) seen
  seen=$(wc -l <"$dir/sim.out") # only its echo after this send counts
  sim_cmd "$1" >/dev/null
  until tail -n +$((seen + 1)) "$dir/sim.out" 2>/dev/null |
          grep -qF "\"command\":\"$1\",\"hosts\""; do # taken
    ((SECONDS < end)) || { echo "bench: hbs-sim did not take '$1'" >&2; exit 1; }
    sleep 0.1
  done
}

sim_cmd() { # COMMAND -> the wall-clock ms it was sent at (hbs-sim logs it too, in sim.out)
  date +%s%3N
  printf '%s\n' "$1" >/dev/udp/127.0.0.1/29099
}

# When hbs-sim applied COMMAND (its echo in sim.out), sent at SENT_MS; empty if never.
applied_ms() { # COMMAND SENT_MS
  jq -rn --arg c "$1" --argjson t "$2" \
    'first(inputs | select(.command? == $c and .time_ms >= $t) | .time_ms) // empty' \
    "$dir/sim.out"
}

# Hosts stop answering on NET (all: a crash; mgmt: a cut management link): $faults faults
# in rounds of ten (a tenth of a small cluster), 150-250 ms apart at random so they land at
# every phase of the 100 ms period, each round healed before the next. Prints "p50 p99 max
# missed apply_max samples": ms from the fault taking effect (hbs-sim's echo: a simulator
# that fell behind applies it late, and that is not the agent's detection time) to the loss
# event; apply_max, the longest a fault waited in the simulator after it was sent. A fault
# with no loss event within 5 s, or that the simulator never applied, is missed.
detection() { # HOSTS NET
  local n=$1 net=$2 k h t a l r samples=() at=() missed=0 apply_max=0
  # Always below the 20 % MNFA threshold: single failures, not a storm.
  local count=$((n >= 100 ? 10 : (n >= 20 ? n / 10 : 1)))
  local rounds=$(((faults + count - 1) / count))
  for ((r = 0; r < rounds; r++)); do
    since=$(date +%s%3N)
    for ((k = 1; k <= count; k++)); do
      h=$(((k * n / (count + 1) + r) % n)); t=$(sim_cmd "stop $h $net"); at[k]="$h $t"
      sleep "$(printf '0.%03d' $((150 + RANDOM % 100)))"
    done
    for ((k = 1; k <= count; k++)); do
      read -r h t <<<"${at[k]}"
      l=$(wait_event loss "sim-$h" 5)
      a=$(applied_ms "stop $h $net" "$t") || { echo "bench: sim.out does not parse" >&2; exit 1; }
      if [[ -z $a ]]; then
        echo "  ... hbs-sim never applied 'stop $h $net': counted as missed" >&2
        missed=$((missed + 1)); continue
      fi
      ((a - t > apply_max)) && apply_max=$((a - t))
      if [[ -n $l ]]; then samples+=($((l - a))); else missed=$((missed + 1)); fi
    done
    sim_cmd heal >/dev/null
    sleep 2.5 # the hosts recover (ten answers) before the next round
  done
  if ((${#samples[@]} == 0)); then echo "null null null $missed $apply_max"; return; fi
  local sorted=($(printf '%s\n' "${samples[@]}" | sort -n)) c=${#samples[@]}
  echo "${sorted[$(((c + 1) / 2 - 1))]} ${sorted[$(((c * 99 + 99) / 100 - 1))]}" \
       "${sorted[-1]} $missed $apply_max $(IFS=,; echo "${samples[*]}")"
}

# 300 SM queries from a Python client, 100 a second (under the agent's sm.max_requests_per_s,
# 200: faster ones are dropped by design): "p50 p99" in µs.
sm_probe() {
  python3 - <<'PY'
import json, socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 29025)); s.settimeout(1.0)
lat = []
try:
  for i in range(1, 301):
    q = json.dumps({"origin": "sm", "service": "heartbeat", "request": "cluster_info",
                    "reqid": str(i)}).encode()
    t = time.perf_counter(); s.sendto(q, ("127.0.0.1", 29024))
    while True:
        d = s.recv(1024)
        if int.from_bytes(d[4:6], "little") == i:
            break
    lat.append((time.perf_counter() - t) * 1e6)
    time.sleep(max(0.0, 0.01 - (time.perf_counter() - t)))
except socket.timeout:
  print("null null")  # a query unanswered for a second: reported as missing, not guessed
  raise SystemExit
lat.sort()
print(f"{lat[len(lat)//2]:.0f} {lat[int(len(lat)*0.99)]:.0f}")
PY
}

# The same replies between two bare programs (bench/udp_floor.cpp): "cpu% replies/s".
write_results() {
  local out=results/bench-$stamp
  jq -n --arg time "$stamp" --arg commit "$commit" --argjson cores "$(nproc)" \
    --arg kernel "$(uname -r)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" \
    --argjson window "$window" --argjson idle "$idle_cpu" --arg cmd "scripts/bench $args" \
    --argjson idle1 "$idle1_cpu" \
    --argjson neighbour "$neighbour" --argjson repeat "$repeat" --argjson faults "$faults" \
    --arg placement "$placement" \
    '{time: $time, commit: $commit, cores: $cores, kernel: $kernel, cpu: $cpu, command: $cmd,
      placement: $placement,
      window_s: $window, idle_agent_cpu_percent: $idle, idle_agent_1_host_cpu_percent: $idle1,
      neighbour_percent: $neighbour,
      repeat: $repeat, faults_per_kind: $faults,
      runs: $ARGS.positional}' \
    --jsonargs "${rows[@]}" >"$out.json"
  {
    echo "# hbs bench $stamp"
    echo
    echo "commit $short_commit, $(nproc) cores, $(uname -r); command: \`scripts/bench $args\`;" \
      "pulse auth $auth; placement: $placement"
    echo
    echo "Idle agent: $idle_cpu % of a core with 0 hosts, $idle1_cpu % with 1 host."
    echo
    echo "The quiet window (agent CPU, busy, stalled, false events) has the agent alone; then a" \
      "${floor_window} s floor window has the simulator also send every answer to the floor," \
      "and agent/floor is the two's CPU in that window (\`agent_cpu_percent_floor_window\`," \
      "\`false_events_floor_window\` in the JSON). One real client's CPU, for the fleet's," \
      "is measured with every core kept awake (\`scripts/bench --client --awake\`)."
    echo
    local cols=("hosts" "agent CPU %" "busy/period p50/p99 µs (of it on a core)" "floor CPU %"
                "agent/floor"
                "sim CPU %" "stolen by the hypervisor, % of the machine"
                "CPU probe µs p10/median/p90 (lower: faster CPU)"
                "fleet CPU % (agent + hosts x one real client)" "RSS MB"
                "stalled periods" "false events (blaming: sim late/agent [of it in steal bursts]; alarms)"
                "crash T_D p50/p99/max ms (missed)" "cut T_D p50/p99/max ms (missed)" "MNFA entry ms" "SM p50/p99 µs")
    printf '| %s ' "${cols[@]}"; echo '|'
    printf '|---%.0s' "${cols[@]}"; echo '|'
    jq -r '.runs[] | [.hosts, .agent_cpu_percent,
      "\(.busy_p50_us)/\(.busy_p99_us) (\(.busy_cpu_p50_us)/\(.busy_cpu_p99_us))",
      .floor_cpu_percent,
      (.agent_over_floor // if (.floor_window_sim_late_requests // 0) > 0
        then "excluded: the simulator answered \(.floor_window_sim_late_requests) late"
        else "unmeasured (the floor read 0)" end), .sim_cpu_percent, .steal_percent,
      (.cpu_probe_us | if . == null then "unmeasured"
        else "\(.p10)/\(.median)/\(.p90)" end),
      "\(.fleet_cpu_percent) (\(.agent_cpu_percent) + \(.hosts) x \(.client_cpu_percent_each))",
      .agent_rss_mb,
      .stalled_periods,
      "\(.false_events) (\(.false_blaming_sim_late)/\(.false_blaming_agent)" +
        " [\(.false_blaming_agent_in_steal_burst)]; \(.false_alarms))",
      "\(.td_crash_p50_ms)/\(.td_crash_p99_ms)/\(.td_crash_max_ms) (\(.td_crash_missed))",
      "\(.td_cut_p50_ms)/\(.td_cut_p99_ms)/\(.td_cut_max_ms) (\(.td_cut_missed))", .mnfa_entry_ms, "\(.sm_p50_us)/\(.sm_p99_us)"]
      | "| " + (map(tostring) | join(" | ")) + " |"' "$out.json"
    echo
    if ((repeat > 1)); then
      echo "Over the $repeat runs of each size, min / median / max (of an even count, the" \
           "lower of the two middle runs):"
      echo
      echo "| hosts | agent CPU % | agent/floor | busy p99 µs | of it on a core | stalled |" \
           "false events | blaming the agent | false alarms | crash T_D max ms |" \
           "cut T_D max ms | stolen % |"
      echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
      jq -r 'def mmm(f): (map(f) | sort) as $v | if ($v | any(. == null)) then "unmeasured"
               else "\($v[0]) / \($v[(($v | length) - 1) / 2 | floor]) / \($v[-1])" end;
        .runs | group_by(.hosts)[] | "| \(.[0].hosts) | \(mmm(.agent_cpu_percent)) | " +
        "\(mmm(.agent_over_floor)) | " +
        "\(mmm(.busy_p99_us)) | \(mmm(.busy_cpu_p99_us)) | \(mmm(.stalled_periods)) | " +
        "\(mmm(.false_events)) | " +
        "\(mmm(.false_blaming_agent)) | \(mmm(.false_alarms)) | \(mmm(.td_crash_max_ms)) | " +
        "\(mmm(.td_cut_max_ms)) | \(mmm(.steal_percent)) |"' "$out.json"
      echo
    fi
    jq -r '.runs[] | select(.metrics_scrapes != null) | .metrics_scrapes as $m |
      "Scrapes at \(.hosts) hosts (per_host \($m.per_host)): \($m.ok) ok, \($m.failed) failed;" +
      " time median \($m.seconds_median) s, max \($m.seconds_max) s; size median" +
      " \($m.bytes_median) bytes.\n"' "$out.json"
    echo "![figures](bench-$stamp.png)"
  } >"$out.md"
  jq -r '.runs[] | [.hosts, .agent_cpu_percent, .agent_rss_mb, .busy_p50_us,
    .busy_p99_us, .floor_cpu_percent, .sim_cpu_percent, .mnfa_entry_ms, .sm_p50_us,
    .sm_p99_us, .false_blaming_sim_late, .false_blaming_agent, .false_alarms,
    .agent_over_floor]
    | map(. // "NaN") | @tsv' "$out.json" >"$dir/plot.tsv"
  # T_D distribution: per size and fault kind, every sample of every run, as a CDF (one
  # gnuplot data block each, titles in cdf.titles).
  jq -r '.runs | group_by(.hosts)[] | . as $g | ("crash", "cut") as $k
    | [$g[] | .["td_\($k)_samples_ms"][]] | sort | length as $n | select($n > 0)
    | (to_entries | map("\(.value)\t\((.key + 1) / $n)") | join("\n")) + "\n\n\n"' \
    "$out.json" >"$dir/cdf.tsv"
  jq -r '.runs | group_by(.hosts)[] | . as $g | ("crash", "cut") as $k
    | select([$g[] | .["td_\($k)_samples_ms"][]] | length > 0)
    | "\($g[0].hosts):\($k)"' "$out.json" | paste -sd' ' >"$dir/cdf.titles"
  local policy="agent at the normal policy"
  ((rt)) && policy="agent SCHED_RR 1 (--rt)"
  ((neighbour > 0)) && policy+=", a neighbour busy $neighbour % of a core"
  gnuplot -e "data='$dir/plot.tsv'; cdf='$dir/cdf.tsv'; titles='$(cat "$dir/cdf.titles")';
    out='$out.png'; title='hbs bench $stamp, $(nproc) cores, commit $short_commit: $policy'" \
    scripts/bench.gp
}

# One real hbs-client answering an agent that monitors only it, on two networks at 100 ms
# (unicast on 127.0.50.x / 127.0.51.x), for SECONDS after a warm-up: the fleet's cost per
# host. Prints "cpu% rss_kb threads pss_kb private_kb wakeups_per_s answers_per_s" (PSS:
# shared library pages divided among the processes mapping them); wake-ups are the
# client's voluntary and involuntary context switches, all threads.
client_cost() { # SECONDS
  local s=$1 c
  net() { # SUFFIX (1: the agent, 10: the host)
    printf '[networks.management]\nlocal_address = "127.0.50.%d"\nmode = "unicast"\n' "$1"
    printf 'client_port = 29306\nagent_port = 29303\n\n'
    printf '[networks.cluster-host]\nlocal_address = "127.0.51.%d"\nmode = "unicast"\n' "$1"
    printf 'client_port = 29316\nagent_port = 29313\n\n'
  }
  { printf '[client]\npmon_port = 0\nhost = "worker-0"\nscheduling_priority = 0\n\n'; net 10; } \
    >"$dir/client.toml"
  { printf '[agent]\ncontroller = "controller-0"\nstate_dir = "%s/state"\n' "$dir"
    printf 'control_socket = "%s/agent.sock"\ncontrol_token = "%s/control.token"\n' "$dir" "$dir"
    printf 'lock_file = ""\nscheduling_priority = 0\n\n[sm]\nenabled = false\n\n'
    net 1
    printf '[[hosts]]\nname = "worker-0"\ntype = "worker"\nmanagement = "127.0.50.10"\n'
    printf 'cluster-host = "127.0.51.10"\n'; } >"$dir/agent.toml"
  setpriv --pdeathsig TERM build/hbs-client --config "$dir/client.toml" >"$dir/client.log" 2>&1 &
  c=$!; pids+=($c)
  setpriv --pdeathsig TERM build/hbs-agent --config "$dir/agent.toml" >"$dir/agent.log" 2>&1 &
  pids+=($!)
  sleep 3
  kill -0 "$c" 2>/dev/null || { echo "bench: the client did not start: $(tail -3 "$dir/client.log")" >&2; return 1; }
  local c0 w0 r0 c1 w1 r1
  c0=$(cpu_ns "$c") w0=$(switches "$c") r0=$(client_answers)
  sleep "$s"
  c1=$(cpu_ns "$c") w1=$(switches "$c") r1=$(client_answers)
  [[ -n $r0 && -n $r1 ]] || { echo "bench: the agent's answer count is unreadable" >&2; return 1; }
  local line
  line="$(pct "$c0" "$c1" "$s") $(rss_kb "$c") $(awk '/^Threads:/ {print $2}' "/proc/$c/status")"
  line+=" $(awk '/^Pss:/ {p = $2} /^Private_(Clean|Dirty):/ {q += $2} END {print p, q}' \
            "/proc/$c/smaps_rollup")"
  line+=" $(awk -v a="$w0" -v b="$w1" -v s="$s" 'BEGIN {printf "%.1f", (b - a) / s}')"
  line+=" $(awk -v a="$r0" -v b="$r1" -v s="$s" 'BEGIN {printf "%.1f", (b - a) / s}')"
  if ((${2:-0})); then # the floor: the stock client's bare loop on the same sockets, same agent
    kill "$c"; wait "$c" 2>/dev/null
    setpriv --pdeathsig TERM build/udp-floor answer --address 127.0.50.10 --port 29306 \
      --reply-port 29303 --address2 127.0.51.10 --port2 29316 --reply-port2 29313 \
      >"$dir/floor.log" 2>&1 &
    c=$!; pids+=($c)
    sleep 2
    kill -0 "$c" 2>/dev/null ||
      { echo "bench: udp-floor did not start: $(cat "$dir/floor.log")" >&2; return 1; }
    c0=$(cpu_ns "$c") w0=$(switches "$c")
    sleep "$s"
    c1=$(cpu_ns "$c") w1=$(switches "$c")
    line+=" $(pct "$c0" "$c1" "$s")"
    line+=" $(awk -v a="$w0" -v b="$w1" -v s="$s" 'BEGIN {printf "%.1f", (b - a) / s}')"
  fi
  echo "$line"
  stop_all
}
switches() { # PID -> context switches of all its threads so far
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^(non)?voluntary_ctxt_switches:/ {n += $2} END {print n}'
}
client_answers() { # answers the agent counted so far, both networks; empty when unreadable
  build/hbsctl --config "$dir/agent.toml" status --json 2>/dev/null |
    jq -e '[.networks[].num_counted] | add' 2>/dev/null
}
