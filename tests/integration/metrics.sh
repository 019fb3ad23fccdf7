#!/usr/bin/env bash
# hbs-agent's Prometheus endpoint, scraped with curl as Prometheus would: a healthy host reads
# 0 in hbs_host_state (and counts as ok in hbs_network_hosts), malformed datagrams raise the
# drop counter of their reason, a killed client's host goes to 3 (lost) within 3 s and counts
# as lost, and a second agent whose metrics port is taken logs why and keeps heartbeating. promtool (Debian: prometheus) checks the exposition when
# it is installed. Loopback only (127.0.52.x).
set -euo pipefail
build=$(cd "${1:?usage: metrics.sh BUILD_DIR}" && pwd)
dir=$(mktemp -d /tmp/hbs-metrics.XXXXXX)
source "$(dirname "$0")/lib.sh"
trap 'hbs_stop_children_and_remove "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
url=http://127.0.52.1:29570/metrics

net() { # SUFFIX
  printf '[networks.management]\nlocal_address = "127.0.52.%d"\nmode = "unicast"\n' "$1"
  printf 'client_port = 29506\nagent_port = 29503\n\n'
}
agent_toml() { # NAME METRICS_ADDRESS SOCKET_PORT_SUFFIX
  printf '[agent]\ncontroller = "controller-0"\nstate_dir = "%s/%s"\n' "$dir" "$1"
  printf 'control_socket = "%s/%s.sock"\ncontrol_token = "%s/control.token"\n' "$dir" "$1" "$dir"
  printf 'lock_file = ""\nscheduling_priority = 0\n\n[sm]\nenabled = false\n\n'
  printf '[metrics]\naddress = "%s"\nport = 29570\nrefresh_ms = 0\n\n' "$2"
  net "$3"
  printf '[[hosts]]\nname = "worker-0"\ntype = "worker"\nmanagement = "127.0.52.10"\n'
}
{ printf '[client]\npmon_port = 0\nhost = "worker-0"\nscheduling_priority = 0\n\n'; net 10; } >"$dir/client.toml"
agent_toml a 127.0.52.1 1 >"$dir/a.toml"
"$build/hbs-client" --config "$dir/client.toml" --stop-with $$ >"$dir/client.log" 2>&1 &
client=$!
"$build/hbs-agent" --config "$dir/a.toml" --stop-with $$ >"$dir/a.log" 2>&1 &

series() { # NAME{LABELS} -> its value, empty when absent
  curl -sf "$url" | awk -v s="$1" '$1 == s {print $2}'
}
wait_for() { # SERIES VALUE SECONDS
  local v=""
  for _ in $(seq $((${3} * 10))); do
    v=$(series "$1") || true
    [[ $v == "$2" ]] && return 0
    sleep 0.1
  done
  fail "$1 is '$v', expected $2 within $3 s"
}
state='hbs_host_state{host="worker-0",network="management"}'
wait_for "$state" 0 5
wait_for 'hbs_network_hosts{network="management",state="ok"}' 1 2
echo "ok: a healthy host reads 0 and is counted ok on its network"

# Round trips from kernel receive times: on loopback well under a period, never 0.
# (A scrape within refresh_ms of the last gathers nothing new: wait for the next gathering.)
# (A gather in the first period can hold a round trip but no judged period yet.)
for _ in $(seq 80); do
  rtt=$(series 'hbs_host_rtt_p50_seconds{host="worker-0",network="management"}') || true
  loss=$(series 'hbs_host_loss_ratio{host="worker-0",network="management",window="1m"}') || true
  [[ -n $rtt && -n $loss ]] && break
  sleep 0.1
done
awk -v r="$rtt" 'BEGIN {exit !(r > 0 && r < 0.05)}' ||
  fail "worker-0's round trip p50 is '$rtt' s, expected above 0 and below 50 ms"
[[ $loss == 0 ]] || fail "worker-0's loss over the last minute is '$loss', expected 0"
echo "ok: a healthy host's round trip p50 is ${rtt} s with no loss"

drops='hbs_network_responses_dropped_total{network="management",reason="short_datagram"}'
before=$(series "$drops")
python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.52.10", 0))
for _ in range(20): s.sendto(b"0123456789", ("127.0.52.1", 29503))'
sleep 0.5
after=$(series "$drops")
((after - before == 20)) || fail "$drops went $before -> $after, expected +20"
echo "ok: 20 short datagrams counted under their reason"

if command -v promtool >/dev/null; then
  curl -sf "$url" | promtool check metrics || fail "promtool check metrics failed"
  echo "ok: promtool check metrics"
fi

{ kill -KILL "$client"; wait "$client"; } 2>/dev/null || true
wait_for "$state" 3 3
wait_for 'hbs_network_hosts{network="management",state="lost"}' 1 1
[[ $(series 'hbs_network_hosts{network="management",state="ok"}') == 0 ]] ||
  fail "the lost host is still counted ok"
echo "ok: a killed client's host reads 3 (lost) and is counted lost, not ok"

agent_toml b 127.0.52.1 2 >"$dir/b.toml"
"$build/hbs-agent" --config "$dir/b.toml" --stop-with $$ >"$dir/b.log" 2>&1 &
b=$!
for _ in $(seq 30); do grep -q "metrics:" "$dir/b.log" && break; sleep 0.1; done
sleep 1
grep -q "metrics: cannot listen on 127.0.52.1:29570" "$dir/b.log" ||
  fail "the second agent did not say its port is taken: $(cat "$dir/b.log")"
kill -0 "$b" 2>/dev/null || fail "the second agent stopped: $(tail -3 "$dir/b.log")"
echo "ok: a taken metrics port is logged; the agent heartbeats on"
