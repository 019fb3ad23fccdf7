#!/usr/bin/env python3
"""The nemesis's fault schedule: a seeded random sequence of overlapping faults.

usage: schedule.py --seed S --seconds T --nodes c0,c1,w0,... [--no-delay] > schedule.jsonl

Each fault has a begin and (most) an end; one JSON line per step, sorted by time:
  {"at": 12.345, "fault": 7, "op": "cut", "phase": "begin", "node": "w3", "net": "mgmt"}
The same seed and arguments give the same schedule, byte for byte (scripts/nemesis replays a
seed this way). Rules that keep a schedule meaningful:
  - a node has at most one host-level fault at a time (its links, its client, its record);
  - a controller's agent has at most one agent fault at a time;
  - one partition, one failure-action change, one tuning, one lock at a time;
  - a swact only while both agents run, are linked and no partition is in effect (and 6 s
    after such a fault ends): activating a survivor whose peer is alive but unreachable makes
    two active agents by the operator's choice (README), which is not what is tested here;
  - at most MAX_CONCURRENT faults in effect at once; every fault ends by T.
"""
import argparse
import json
import random
import sys

MAX_CONCURRENT = 4
LINK_SETTLE = 6.0  # after an agent stop or a partition, the peer link needs this to return

# kind: (weight, min duration s, max duration s); duration 0: an instant step
KINDS = {
    "cut": (20, 0.3, 5.0),            # a node's link on one network, down
    "lossy": (8, 2.0, 8.0),           # random loss 1..30 % towards a node on one network
    "asym": (6, 2.0, 6.0),            # a host's responses to one controller dropped (10..100 %)
    "delay": (6, 2.0, 6.0),           # delay and jitter towards a node (netem only)
    "partition": (5, 2.0, 10.0),      # the controllers cannot reach each other
    "switch": (4, 1.5, 6.0),          # one network's switch fails for a fraction of hosts
    "client_kill": (8, 0.5, 4.0),     # SIGKILL, restarted at the end
    "client_stop": (6, 0.3, 4.0),     # SIGSTOP, SIGCONT at the end
    "client_restart": (5, 0, 0),      # SIGTERM and start again
    "agent_kill": (4, 1.0, 5.0),
    "agent_stop": (4, 0.3, 3.0),
    "agent_restart": (4, 0, 0),
    "swact": (5, 0, 0),               # hbsctl activate on one agent (random) of either one
    "host_stop": (4, 1.0, 4.0),       # hbsctl stop NAME, start at the end
    "host_del": (3, 1.0, 4.0),        # hbsctl del NAME, add back at the end
    "action": (3, 2.0, 6.0),          # failure action degrade | alarm | none, back to fail
    "tune": (3, 2.0, 6.0),            # period 200 ms or loss 12/15, back at the end
    "sighup": (3, 0, 0),              # SIGHUP to one agent; half of them a "reload" (below)
    "lock": (3, 2.0, 5.0),            # hbsctl lock on the inactive agent, unlock at the end
}
# A "reload": one controller's file edited, then SIGHUP; at its end the file restored and
# SIGHUP again. Drawn from a stream of its own when a sighup is drawn, and not counted in
# MAX_CONCURRENT, so every other fault of a seed stays as it was before reloads existed.
EDITS = [{"period_ms": 200}, {"loss": 12}, {"loss": 15}, {"period_ms": 200, "loss": 12},
         {"failure_action": "degrade"}]
RELOAD_SPAN = (2.0, 6.0)
HOST_KINDS = {"cut", "lossy", "asym", "delay", "client_kill", "client_stop", "client_restart",
              "host_stop", "host_del"}
AGENT_KINDS = {"agent_kill", "agent_stop", "agent_restart"}
GLOBAL_KINDS = {"partition", "action", "tune", "lock"}


def build(seed, seconds, nodes, delay=True):
    rng = random.Random(seed)
    edit_rng = random.Random(f"reload-{seed}")
    controllers = [n for n in nodes if n.startswith("c")]
    hosts = [n for n in nodes if not n.startswith("c")]
    kinds = {k: v for k, v in KINDS.items() if delay or k != "delay"}
    if len(controllers) < 2:
        for k in ("partition", "swact", "lock", "asym"):
            kinds.pop(k, None)
    names, weights = zip(*[(k, v[0]) for k, v in sorted(kinds.items())])
    busy = {}          # target -> end time
    link_quiet = 0.0   # no swact before this (agent stop / partition + settle)
    in_effect = []     # (begin, end)
    steps, fault, t = [], 0, 1.0
    while True:
        t += rng.expovariate(1 / 1.5)
        if t > seconds - 3:
            break
        kind = rng.choices(names, weights)[0]
        _, lo, hi = kinds[kind]
        dur = round(rng.uniform(lo, hi), 3) if hi > 0 else 0.0
        end = min(t + dur, seconds - 0.5)
        in_effect = [(b, e) for b, e in in_effect if e > t]
        if len(in_effect) >= MAX_CONCURRENT:
            continue
        step = {"op": kind}
        targets = []
        if kind in HOST_KINDS:
            pool = hosts + controllers if kind in ("cut", "lossy", "delay") else hosts
            if kind == "client_restart" or kind == "client_kill" or kind == "client_stop":
                pool = hosts + controllers  # controllers run a client too
            node = rng.choice(pool)
            step["node"] = node
            targets = [node]
            if kind in ("cut", "lossy", "delay"):
                step["net"] = rng.choice(["mgmt", "clstr"])
            if kind == "lossy":
                step["per_mille"] = rng.randint(10, 300)
            if kind == "delay":
                step["delay_ms"] = rng.choice([20, 50, 100, 200, 300])
                step["jitter_ms"] = rng.choice([0, 10, 50])
            if kind == "asym":
                step["controller"] = rng.choice(controllers)
                step["per_mille"] = rng.choice([100, 300, 600, 1000])
        elif kind in AGENT_KINDS:
            node = rng.choice(controllers)
            step["node"] = node
            targets = ["agent-" + node]
        elif kind == "switch":
            step["net"] = rng.choice(["mgmt", "clstr"])
            frac = rng.choice([0.2, 0.5, 0.8, 0.9, 1.0])
            k = max(1, round(frac * len(hosts)))
            step["nodes"] = sorted(rng.sample(hosts, k))
            targets = list(step["nodes"])
        elif kind == "partition":
            step["mode"] = rng.choice(["peer", "mgmt", "all"])
            targets = ["partition"]
        elif kind == "swact":
            step["to"] = rng.choice(controllers)
            step["via"] = rng.choice(controllers)
            if t < link_quiet or any(busy.get("agent-" + c, 0) > t for c in controllers) \
                    or busy.get("partition", 0) > t:
                continue
            targets = []
        elif kind == "action":
            step["value"] = rng.choice(["degrade", "alarm", "none"])
            targets = ["action"]
        elif kind == "tune":
            step["args"] = rng.choice([["--period", "200"], ["--loss", "12"], ["--loss", "15"],
                                       ["--period", "200", "--loss", "12"]])
            targets = ["tune"]
        elif kind == "sighup":
            step["node"] = rng.choice(controllers)
            reload = edit_rng.random() < 0.5
            edit, span = edit_rng.choice(EDITS), round(edit_rng.uniform(*RELOAD_SPAN), 3)
            if reload and busy.get("file-" + step["node"], 0) <= t:
                step.update(op="reload", edit=edit)
                dur, end = span, min(t + span, seconds - 0.5)
                targets = ["file-" + step["node"]]
        elif kind == "lock":
            targets = ["lock"]
        if any(busy.get(x, 0) > t for x in targets):
            continue
        for x in targets:
            busy[x] = end + 0.2
        if kind in ("agent_stop", "partition") or (kind == "agent_kill"):
            link_quiet = max(link_quiet, end + LINK_SETTLE)
        if kind == "agent_restart":
            link_quiet = max(link_quiet, t + LINK_SETTLE)
        fault += 1
        base = {"fault": fault, **step}
        if dur > 0:
            steps.append({"at": round(t, 3), "phase": "begin", **base})
            steps.append({"at": round(end, 3), "phase": "end", **base})
            if step["op"] != "reload":
                in_effect.append((t, end))
        else:
            steps.append({"at": round(t, 3), "phase": "instant", **base})
    steps.sort(key=lambda s: (s["at"], s["fault"], s["phase"] != "end"))
    return steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--nodes", required=True, help="testbed ids, e.g. c0,c1,w0,w1")
    ap.add_argument("--no-delay", action="store_true", help="no netem here: no delay faults")
    a = ap.parse_args()
    if a.seconds < 10:
        sys.exit("schedule.py: --seconds must be at least 10")
    for s in build(a.seed, a.seconds, a.nodes.split(","), delay=not a.no_delay):
        print(json.dumps(s, sort_keys=True))


if __name__ == "__main__":
    main()
