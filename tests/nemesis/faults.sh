# The nemesis's fault steps on the namespace testbed (sourced after tests/testbed/lib.sh by
# scripts/nemesis). nem_apply STEP_JSON applies one step of tests/nemesis/schedule.py and
# prints the line for applied.jsonl: the step, the wall time it was applied, ok and a note.
# Every rule lives in a namespace we created: a table per fault, deleted at its end.

NEM_PEER_PORT=2151

nem_now() { date +%s%3N; }

# Random drop of PER_MILLE/1000 of what the switch sends to a node on one network.
nem_lossy() { # FAULT NODE NET PER_MILLE|off
  local t=nem$1 port=m-$2
  [[ $3 == clstr ]] && port=c-$2
  ip netns exec "$TB_SW" nft delete table bridge "$t" 2>/dev/null || true
  [[ $4 == off ]] && return 0
  ip netns exec "$TB_SW" nft -f - <<NFT
table bridge $t {
  chain drops { type filter hook forward priority 0; oifname "$port" numgen random mod 1000 < $4 drop; }
}
NFT
}

# Delay and jitter towards a node (tc netem on the switch-side veth; only where netem exists).
nem_delay() { # NODE NET MS JITTER_MS|off
  local port=m-$1
  [[ $2 == clstr ]] && port=c-$1
  ip netns exec "$TB_SW" tc qdisc del dev "$port" root 2>/dev/null || true
  [[ $3 == off ]] && return 0
  ip netns exec "$TB_SW" tc qdisc add dev "$port" root netem delay "${3}ms" "${4}ms"
}

# A host's datagrams to one controller (both networks) dropped at the host: responses lost
# one way, requests still arrive.
nem_asym() { # FAULT NODE CONTROLLER_ID PER_MILLE|off
  local t=nem$1 ns
  ns=$(tb_ns "$2")
  ip netns exec "$ns" nft delete table inet "$t" 2>/dev/null || true
  [[ $4 == off ]] && return 0
  local chance="numgen random mod 1000 < $4 "
  (($4 >= 1000)) && chance=""
  ip netns exec "$ns" nft -f - <<NFT
table inet $t {
  chain out { type filter hook output priority 0; ip daddr { ${TB_MGMT[$3]}, ${TB_CLSTR[$3]} } ${chance}drop; }
}
NFT
}

# The controllers cut apart: "all" (both networks), "mgmt" (management only: the peer link
# still has cluster-host) or "peer" (only the peer link's TCP port; pulses flow).
nem_partition() { # MODE on|off
  local id other match
  for id in c0 c1; do
    other=c$((1 - ${id#c}))
    ip netns exec "$(tb_ns "$id")" nft delete table inet nempart 2>/dev/null || true
    [[ $2 == on ]] || continue
    case $1 in
      all) match="{ ${TB_MGMT[$other]}, ${TB_CLSTR[$other]} }" ;;
      mgmt) match="${TB_MGMT[$other]}" ;;
      peer) match="{ ${TB_MGMT[$other]}, ${TB_CLSTR[$other]} } tcp dport $NEM_PEER_PORT" ;;
    esac
    local back=${match/dport/sport}
    ip netns exec "$(tb_ns "$id")" nft -f - <<NFT
table inet nempart {
  chain in { type filter hook input priority 0; ip saddr $back drop; }
  chain out { type filter hook output priority 0; ip daddr $match drop; }
}
NFT
  done
}

# hbsctl on one agent, bounded: a stopped agent must not stall the schedule.
nem_ctl() { # ID ARGS...
  timeout "${NEM_CTL_TIMEOUT:-3}" ip netns exec "$(tb_ns "$1")" "$TB_BUILD/hbsctl" \
    --config "$TB_DIR/$1/agent.toml" "${@:2}"
}

# An hbsctl command on the first agent that answers (commands replicate to the other).
nem_ctl_any() { # ARGS...
  local id out
  for id in "${TB_CONTROLLERS[@]}"; do
    if out=$(nem_ctl "$id" "$@" 2>&1); then
      echo "$id: $out"
      return 0
    fi
  done
  echo "no agent took it: $out"
  return 1
}

nem_signal() { # ID agent|client SIGNAL
  local pid
  pid=$(tb_pid "$1" "$2") && [[ -n $pid ]] && kill -"$3" "$pid" 2>/dev/null
}

nem_role() { NEM_CTL_TIMEOUT=2 nem_ctl "$1" role 2>/dev/null; }

# A controller's file edited (the step's "edit": period_ms, loss, failure_action) and SIGHUP,
# as an operator reloads; the file as it was kept beside it. The end puts the file back and
# sends SIGHUP again; where that agent is not running, or the file is back already (a heal
# applying an end that failed), an operator restores the values with hbsctl instead.
nem_reload() { # ID STEP_JSON begin|end
  local file=$TB_DIR/$1/agent.toml pid
  pid=$(tb_pid "$1" agent)
  if [[ $3 == begin ]]; then
    [[ -e $file.nem ]] || cp "$file" "$file.nem"
    python3 - "$file" "$(jq -c .edit <<<"$2")" <<'PY' || return 1
import json, re, sys
path, edit = sys.argv[1], json.loads(sys.argv[2])
text = open(path).read()
def agent_key(text, key, value):
    line = f"{key} = {value}"
    if re.search(rf"^{key} = .*$", text, re.M):
        return re.sub(rf"^{key} = .*$", line, text, count=1, flags=re.M)
    return text.replace("[agent]\n", f"[agent]\n{line}\n", 1)
if "period_ms" in edit:
    text = agent_key(text, "period_ms", edit["period_ms"])
if "failure_action" in edit:
    text = agent_key(text, "failure_action", json.dumps(edit["failure_action"]))
if "loss" in edit:
    text += f"\n[thresholds]\nloss = {edit['loss']}\n"
open(path, "w").write(text)
PY
    [[ -n $pid ]] && kill -HUP "$pid" 2>/dev/null && echo "edited, SIGHUP" ||
      { echo "edited; agent not running"; return 1; }
    return 0
  fi
  if [[ -e $file.nem ]]; then
    mv "$file.nem" "$file"
    if [[ -n $pid ]] && kill -HUP "$pid" 2>/dev/null; then echo "restored, SIGHUP"; return 0; fi
  fi
  if jq -e '.edit.failure_action' <<<"$2" >/dev/null; then nem_ctl_any action fail
  else nem_ctl_any tune --period "$TB_PERIOD_MS" --loss 10; fi
}

# Applies one step; prints its applied.jsonl line.
nem_apply() { # STEP_JSON
  local s=$1 op phase node net t ok=true note=""
  op=$(jq -r .op <<<"$s")
  phase=$(jq -r .phase <<<"$s")
  node=$(jq -r '.node // ""' <<<"$s")
  net=$(jq -r '.net // ""' <<<"$s")
  local fault begin
  fault=$(jq -r .fault <<<"$s")
  [[ $phase == end ]] && begin=0 || begin=1
  t=$(nem_now)
  case $op in
    cut) tb_link "$node" "$net" "$( ((begin)) && echo down || echo up)" || ok=false ;;
    lossy) nem_lossy "$fault" "$node" "$net" "$( ((begin)) && jq -r .per_mille <<<"$s" || echo off)" || ok=false ;;
    delay)
      if ((begin)); then nem_delay "$node" "$net" "$(jq -r .delay_ms <<<"$s")" "$(jq -r .jitter_ms <<<"$s")" || ok=false
      else nem_delay "$node" "$net" off; fi ;;
    asym) nem_asym "$fault" "$node" "$(jq -r .controller <<<"$s")" \
            "$( ((begin)) && jq -r .per_mille <<<"$s" || echo off)" || ok=false ;;
    partition) nem_partition "$(jq -r .mode <<<"$s")" "$( ((begin)) && echo on || echo off)" || ok=false ;;
    switch)
      local n
      for n in $(jq -r '.nodes[]' <<<"$s"); do
        tb_link "$n" "$net" "$( ((begin)) && echo down || echo up)" || ok=false
      done ;;
    client_kill) if ((begin)); then tb_kill "$node" client KILL; else tb_start_client "$node"; fi ;;
    client_stop) nem_signal "$node" client "$( ((begin)) && echo STOP || echo CONT)" || ok=false ;;
    client_restart) tb_kill "$node" client TERM; tb_start_client "$node" ;;
    agent_kill) if ((begin)); then tb_kill "$node" agent KILL; else tb_start_agent "$node"; fi ;;
    agent_stop) nem_signal "$node" agent "$( ((begin)) && echo STOP || echo CONT)" || ok=false ;;
    agent_restart) tb_kill "$node" agent TERM; tb_start_agent "$node" ;;
    sighup) nem_signal "$node" agent HUP || ok=false ;;
    reload) note=$(nem_reload "$node" "$s" "$( ((begin)) && echo begin || echo end)") || ok=false ;;
    swact)
      local via to
      via=$(jq -r .via <<<"$s"); to=$(jq -r .to <<<"$s")
      note=$(NEM_CTL_TIMEOUT=4 nem_ctl "$via" activate "${TB_HOST[$to]}" 2>&1) || ok=false ;;
    host_stop)
      note=$(nem_ctl_any "$( ((begin)) && echo stop || echo start)" "${TB_HOST[$node]}") || ok=false ;;
    host_del)
      if ((begin)); then note=$(nem_ctl_any del "${TB_HOST[$node]}") || ok=false
      else # back in the inventory, then heartbeat started, as maintenance would do
        note=$(nem_ctl_any add "${TB_HOST[$node]}" "${TB_TYPE[$node]}" "${TB_MGMT[$node]}" \
                 "${TB_CLSTR[$node]}") && note+="; $(nem_ctl_any start "${TB_HOST[$node]}")" ||
          ok=false
      fi ;;
    action)
      note=$(nem_ctl_any action "$( ((begin)) && jq -r .value <<<"$s" || echo fail)") || ok=false ;;
    tune)
      if ((begin)); then note=$(nem_ctl_any tune $(jq -r '.args | join(" ")' <<<"$s")) || ok=false
      else note=$(nem_ctl_any tune --period "$TB_PERIOD_MS" --loss 10) || ok=false; fi ;;
    lock)
      if ((begin)); then
        local id
        NEM_LOCKED=""
        for id in "${TB_CONTROLLERS[@]}"; do
          [[ $(nem_role "$id") == inactive ]] && NEM_LOCKED=$id && break
        done
        echo "$NEM_LOCKED" >"$TB_DIR/nemesis/locked"
        if [[ -n $NEM_LOCKED ]]; then
          note=$(nem_ctl "$NEM_LOCKED" lock 2>&1) || ok=false
          node=$NEM_LOCKED
        else ok=false; note="no inactive agent to lock"; fi
      else
        # The step names its node when the heal applies an end that failed (a later lock may
        # have locked the other controller since); a scheduled end reads it from the file.
        [[ -n $node ]] || node=$(cat "$TB_DIR/nemesis/locked" 2>/dev/null)
        [[ -n $node ]] && { note=$(nem_ctl "$node" unlock 2>&1) || ok=false; }
        # Unlocked: nothing left for the heal. Not (its agent stopped or dead): the lock is
        # the operator's and durable, so it outlives this end; the heal unlocks it.
        if [[ $ok == true && $(cat "$TB_DIR/nemesis/locked" 2>/dev/null) == "$node" ]]; then
          : >"$TB_DIR/nemesis/locked"
        fi
      fi ;;
    *) ok=false; note="unknown op" ;;
  esac
  jq -c --argjson t "$t" --argjson ok "$ok" --arg note "$note" --arg node "$node" \
    '. + {t_ms: $t, ok: $ok} + (if $note != "" then {note: $note} else {} end)
       + (if $node != "" then {node: $node} else {} end) | del(.at)' <<<"$s"
}
