#!/usr/bin/env bash
# A real Prometheus (Debian's prometheus 2.42) scrapes a live hbs-agent every second for as
# long as it takes: through Prometheus' HTTP query API a healthy host's hbs_host_state is 0
# and goes to 3 (lost) after its client is killed, the drop counter of a malformed-datagram
# reason rises, and `promtool check metrics` accepts the exposition. The example alerting
# rules pass `promtool test rules`. Loopback only (127.0.53.x); Prometheus' storage and its
# web port are this test's own. SKIP without prometheus (scripts/setup installs it).
set -euo pipefail
build=$(cd "${1:?usage: prometheus.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v prometheus >/dev/null && command -v promtool >/dev/null ||
  { echo "SKIP: prometheus/promtool not installed (apt-get install prometheus)"; exit 0; }
dir=$(mktemp -d /tmp/hbs-prom.XXXXXX)
source "$(dirname "$0")/lib.sh"
trap 'hbs_stop_children_and_remove "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; tail -n 5 "$dir"/*.log >&2 || true; exit 1; }

(cd "$root/tests/prometheus" && promtool test rules hbs-alerts.test.yml >/dev/null) ||
  fail "promtool test rules failed"
echo "ok: the example alerting rules pass promtool test rules"

net() { printf '[networks.management]\nlocal_address = "127.0.53.%d"\nmode = "unicast"\n' "$1"
        printf 'client_port = 29606\nagent_port = 29603\n\n'; }
{ printf '[client]\npmon_port = 0\nhost = "worker-0"\nscheduling_priority = 0\n\n'; net 10; } >"$dir/client.toml"
{ printf '[agent]\ncontroller = "controller-0"\nstate_dir = "%s/state"\n' "$dir"
  printf 'control_socket = "%s/agent.sock"\ncontrol_token = "%s/control.token"\n' "$dir" "$dir"
  printf 'lock_file = ""\nscheduling_priority = 0\n\n[sm]\nenabled = false\n\n'
  printf '[metrics]\naddress = "127.0.53.1"\nport = 29670\nrefresh_ms = 0\n\n'
  net 1
  printf '[[hosts]]\nname = "worker-0"\ntype = "worker"\nmanagement = "127.0.53.10"\n'
} >"$dir/agent.toml"
cat >"$dir/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: hbs
    static_configs:
      - targets: ["127.0.53.1:29670"]
YML
"$build/hbs-client" --config "$dir/client.toml" --stop-with $$ >"$dir/client.log" 2>&1 &
client=$!
"$build/hbs-agent" --config "$dir/agent.toml" --stop-with $$ >"$dir/agent.log" 2>&1 &
setpriv --pdeathsig TERM prometheus --config.file="$dir/prometheus.yml" \
  --storage.tsdb.path="$dir/tsdb" --web.listen-address=127.0.53.1:29690 \
  >"$dir/prometheus.log" 2>&1 &

promql() { # EXPR -> the first result's value, empty when none
  curl -sfG "http://127.0.53.1:29690/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result[0].value[1] // empty'
}
wait_for() { # EXPR VALUE SECONDS
  local v=""
  for _ in $(seq $(($3 * 5))); do
    v=$(promql "$1" 2>/dev/null) || true
    [[ $v == "$2" ]] && return 0
    sleep 0.2
  done
  fail "Prometheus says $1 = '$v', expected $2 within $3 s"
}
state='hbs_host_state{host="worker-0",network="management"}'
wait_for "$state" 0 30
wait_for 'up{job="hbs"}' 1 5
echo "ok: Prometheus scrapes the agent; worker-0 reads 0"
curl -sf http://127.0.53.1:29670/metrics | promtool check metrics || fail "promtool check metrics"
echo "ok: promtool check metrics"

python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.53.10", 0))
for _ in range(10): s.sendto(b"tiny", ("127.0.53.1", 29603))'
wait_for 'hbs_network_responses_dropped_total{reason="short_datagram"}' 10 10
echo "ok: 10 malformed datagrams reach Prometheus as drops by reason"

{ kill -KILL "$client"; wait "$client"; } 2>/dev/null || true
wait_for "$state" 3 10
echo "ok: the killed client's host reads 3 (lost) in Prometheus"
