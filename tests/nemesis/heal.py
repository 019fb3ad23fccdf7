#!/usr/bin/env python3
"""The operator changes the nemesis's heal must end: their end failed, or never fell due.

usage: heal.py RUN_DIR > steps.jsonl   (RUN_DIR holds schedule.jsonl and applied.jsonl)

A lock, tuning (also one reloaded from an edited file), failure action, stopped or deleted
host is durable: left open it outlives the run and the cluster never settles. Its end is
open when the last attempt at it failed (the agent that had to take it was stopped or dead)
or when its begin was applied and a violation stopped the schedule before its end. Links, signals, partitions and killed
processes are healed by scripts/nemesis itself, whatever the schedule says.
"""
import json
import os
import sys

DURABLE = ("lock", "tune", "action", "host_stop", "host_del", "reload")


def open_ends(applied, schedule):
    """The end steps to apply (no t_ms, ok or note), in schedule order."""
    # A begin that failed counts: a command that timed out may still have been taken, and
    # every end is safe to apply to a change that never happened.
    begun = {s["fault"]: s for s in applied if s["phase"] == "begin"}
    last_end = {}
    for s in applied:
        if s["phase"] == "end":
            last_end[s["fault"]] = s
    out = []
    for s in schedule:
        if s["phase"] != "end" or s["op"] not in DURABLE or s["fault"] not in begun:
            continue
        tried = last_end.get(s["fault"])
        if tried is not None and not tried.get("ok", True):  # as tried: with the node it named
            out.append({k: v for k, v in tried.items() if k not in ("t_ms", "ok", "note")})
        elif tried is None:  # the node its begin chose (a lock: the inactive controller then)
            node = begun[s["fault"]].get("node")
            out.append({**s, "node": node} if node and "node" not in s else s)
    return out


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[2])
    run = sys.argv[1]
    for s in open_ends(read_jsonl(os.path.join(run, "applied.jsonl")),
                       read_jsonl(os.path.join(run, "schedule.jsonl"))):
        print(json.dumps(s, separators=(",", ":")))


if __name__ == "__main__":
    main()
