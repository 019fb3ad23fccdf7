#!/usr/bin/env python3
"""The nemesis's invariant checker, over one run's recorded history (a directory):

  meta.json          seed, start/end (wall ms), node ids -> host names, period, loss
  applied.jsonl      every fault step as applied: {"t_ms", "fault", "op", "phase", ...}
  polls.jsonl        each agent every second: {"t_ms", "node", "alive", "pid", "role",
                     "periods": [ms per network], "rss_kb", "fds"}
  events-<id>.jsonl  each agent's events.jsonl
  final.json         after the schedule and the settling: per agent status, hosts, alarms,
                     MNFA, role (absent while the run is in progress)

usage: check.py RUN_DIR [--until MS] [--json]
--until: check only what is decidable by then (a run in progress); exit 1 on any violation.

Invariants (issue 15 §2):
  one_active      never two agents active at once (role events, deaths from applied steps)
  no_false_loss   no loss verdict unless a fault touching that host, network and agent was
                  in effect within the window that led to it (b2b x period + slack)
  no_missed_loss  a host cut (link, client dead or stopped, switch) for longer than the loss
                  time is reported lost by the active agent within one period of the bound,
                  unless the agent changed, was itself faulted, or MNFA was in force
  settled         afterwards: inventories equal, no alarm, every monitored host ok, MNFA
                  idle, period restored, exactly one active
  bounded         no event storm per host, no agent death nobody caused, RSS and fds bounded
  observed        every agent polled at least every 5 s while faults were applied (the
                  record the others read has no hole)
"""
import argparse
import json
import os
import sys
from collections import defaultdict

NETS = {"mgmt": "management", "clstr": "cluster-host"}
INSTANT_SPAN_MS = {"client_restart": 2000, "agent_restart": 3000}
SLACK_MS = 700
STORM_PER_S = 25
RSS_LIMIT_KB = 300 * 1024
FD_LIMIT = 256
POLL_GAP_MS = 5000


def read_lines(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise SystemExit(f"check.py: {path}:{n}: not JSON ({e})")
    return out


class History:
    def __init__(self, meta, applied, polls, events, final=None):
        self.meta, self.applied, self.polls, self.events, self.final = \
            meta, applied, polls, events, final
        self.hosts = meta["hosts"]                      # node id -> host name
        self.node_of = {v: k for k, v in self.hosts.items()}
        self.controllers = sorted(meta["controllers"])  # node ids
        self.faults = self._faults()

    @classmethod
    def load(cls, d):
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        final = None
        if os.path.exists(os.path.join(d, "final.json")):
            with open(os.path.join(d, "final.json")) as f:
                final = json.load(f)
        events = {c: read_lines(os.path.join(d, f"events-{c}.jsonl"))
                  for c in meta["controllers"]}
        return cls(meta, read_lines(os.path.join(d, "applied.jsonl")),
                   read_lines(os.path.join(d, "polls.jsonl")), events, final)

    def _faults(self):
        """Fault id -> {"op", "begin", "end", step fields}; end None while in effect. An end
        that could not be applied (an unlock while the agent was stopped) ends nothing: the
        fault lasts until an end that was, the heal's at the latest."""
        out = {}
        for s in self.applied:
            f = out.setdefault(s["fault"], dict(s, begin=None, end=None))
            if s["phase"] == "begin":
                f["begin"] = s["t_ms"]
            elif s["phase"] == "end":
                if s.get("ok", True):
                    f["end"] = s["t_ms"]
            else:
                f["begin"] = s["t_ms"]
                f["end"] = s["t_ms"] + INSTANT_SPAN_MS.get(s["op"], 0)
            f.update({k: v for k, v in s.items() if k not in ("t_ms", "phase")})
        return out

    def in_effect(self, lo, hi, until):
        for f in self.faults.values():
            if f["begin"] is None:
                continue
            end = f["end"] if f["end"] is not None else until
            if f["begin"] <= hi and end >= lo:
                yield f

    def period(self, node, lo, hi, default, until=None):
        """The longest period `node` ran in [lo, hi] as its polls saw it (an MNFA back-off
        too). Without a poll there (the `observed` invariant names the hole), what a tune or
        an edited file set meanwhile, never the default alone: seed 1205061's poller had
        died and a tune to 200 ms read as 100."""
        ps = [max(p["periods"]) for p in self.polls
              if p["node"] == node and p.get("periods") and lo <= p["t_ms"] <= hi]
        if ps:
            return max(ps)
        return max([default] + self.tuned(lo, hi, until, "--period", "period_ms"))

    def tuned(self, lo, hi, until, arg, key):
        """What tunes (`hbsctl tune ARG V`) and edited files (KEY = V) in effect within
        [lo, hi] set."""
        out = []
        for f in self.in_effect(lo, hi, hi if until is None else until):
            if f["op"] == "tune" and arg in f.get("args", []):
                out.append(int(f["args"][f["args"].index(arg) + 1]))
            elif f["op"] == "reload" and key in f.get("edit", {}):
                out.append(int(f["edit"][key]))
        return out

    def active_intervals(self, until):
        """Per agent, [start, end] of each time it was active."""
        deaths = defaultdict(list)
        for f in self.faults.values():
            if f["op"] in ("agent_kill", "agent_restart") and f["begin"] is not None:
                deaths[f["node"]].append(f["begin"])
        out = {}
        for c in self.controllers:
            marks = [(e["time_ms"], e["kind"]) for e in self.events.get(c, [])
                     if e["kind"] in ("role_active", "role_inactive", "agent_stop")]
            marks += [(t, "death") for t in deaths[c]]
            marks.sort()
            spans, start = [], None
            for t, k in marks:
                if k == "role_active" and start is None:
                    start = t
                elif k != "role_active" and start is not None:
                    spans.append((start, t))
                    start = None
            if start is not None:
                spans.append((start, until))
            out[c] = spans
        return out


def touches(f, agent, host, net):
    """Whether fault f can make `agent` miss `host` on `net` (node ids, net mgmt|clstr)."""
    op = f["op"]
    if op in ("cut", "lossy", "delay"):
        return f["net"] == net and f["node"] in (host, agent)
    if op == "asym":
        return f["node"] == host and f["controller"] == agent
    if op == "switch":
        return f["net"] == net and (host in f["nodes"] or agent in f["nodes"])
    if op in ("client_kill", "client_stop", "client_restart"):
        return f["node"] == host
    if op == "partition":  # between the controllers: each is a host the other monitors
        both = host.startswith("c") and agent.startswith("c") and host != agent
        return both and (f["mode"] == "all" or (f["mode"] == "mgmt" and net == "mgmt"))
    return False


class Checker:
    def __init__(self, h, until=None):
        self.h = h
        self.until = until if until is not None else (h.meta.get("settled_ms")
                                                      or max([h.meta["end_ms"]] +
                                                             [p["t_ms"] for p in h.polls]))
        self.violations, self.checks, self.unchecked = [], defaultdict(int), defaultdict(int)

    def violate(self, inv, t_ms, what):
        self.violations.append({"invariant": inv, "t_ms": t_ms, "what": what})

    def run(self):
        self.observed()
        self.one_active()
        self.no_false_loss()
        self.no_missed_loss()
        self.bounded()
        if self.h.final is not None:
            self.settled()
        return self

    def one_active(self):
        spans = self.h.active_intervals(self.until)
        cs = self.h.controllers
        for i, a in enumerate(cs):
            for b in cs[i + 1:]:
                for s1 in spans[a]:
                    for s2 in spans[b]:
                        self.checks["one_active"] += 1
                        lo, hi = max(s1[0], s2[0]), min(s1[1], s2[1])
                        if lo < hi:
                            self.violate("one_active", lo, f"{self.h.hosts[a]} and "
                                         f"{self.h.hosts[b]} both active for {hi - lo} ms")

    def _loss_window(self, agent, t, b2b):
        p = self.h.period(agent, t - 30000, t, self.h.meta["period_ms"], self.until)
        return max(b2b, 1) * p + SLACK_MS

    def no_false_loss(self):
        for agent in self.h.controllers:
            for e in self.h.events.get(agent, []):
                if e["kind"] != "loss" or e["time_ms"] > self.until:
                    continue
                host = self.h.node_of.get(e["host"])
                net = {v: k for k, v in NETS.items()}.get(e["network"])
                if host is None or net is None:
                    self.violate("no_false_loss", e["time_ms"],
                                 f"loss of unknown host/network {e['host']}/{e['network']}")
                    continue
                t = e["time_ms"]
                w = self._loss_window(agent, t, e.get("b2b", 0))
                self.checks["no_false_loss"] += 1
                if not any(touches(f, agent, host, net)
                           for f in self.h.in_effect(t - w, t, self.until)):
                    self.violate("no_false_loss", t, f"{self.h.hosts[agent]} declared "
                                 f"{e['host']} lost on {e['network']} with no fault on it in "
                                 f"the {w} ms before")

    def _agent_quiet(self, agent, net, lo, hi):
        """No fault on the agent itself (or its link on `net`), no operator change that
        stops its judgement."""
        for f in self.h.in_effect(lo, hi, self.until):
            if f["op"] in ("agent_kill", "agent_stop", "agent_restart") and f["node"] == agent:
                return "the agent itself was faulted"
            if f["op"] == "action" and f.get("value") == "none":
                return "failure action none (heartbeat off)"
            if f["op"] == "lock" and f.get("node") == agent:
                return "the agent was locked"
            if f["op"] in ("cut", "lossy", "delay", "switch") and f.get("net") == net and (
                    f.get("node") == agent or agent in f.get("nodes", [])):
                return "the agent's own link was faulted"
        return None

    def _lost_at(self, agent, host, net, t):
        state = False
        for e in self.h.events.get(agent, []):
            if e["time_ms"] >= t:
                break
            if e["host"] == self.h.hosts[host] and e["network"] == NETS[net]:
                if e["kind"] == "loss":
                    state = True
                elif e["kind"] == "recovered":
                    state = False
        return state

    def _mnfa_in(self, agent, lo, hi):
        active = False
        for e in self.h.events.get(agent, []):
            if e["kind"] == "mnfa_enter":
                if e["time_ms"] <= hi:
                    active = True
                if lo <= e["time_ms"] <= hi:
                    return True
            elif e["kind"] == "mnfa_exit" and e["time_ms"] < lo:
                active = False
        return active

    def _active_throughout(self, lo, hi):
        for c, spans in self.h.active_intervals(self.until).items():
            if any(s <= lo and e >= hi for s, e in spans):
                return c
        return None

    def _loss(self, lo, hi):
        """The loss threshold: the configured one, or one tuned or reloaded in effect."""
        return max([self.h.meta["loss"]] + self.h.tuned(lo, hi, self.until, "--loss", "loss"))

    def no_missed_loss(self):
        for f in self.h.faults.values():
            if f["begin"] is None or f["end"] is None:
                continue
            pairs = []
            if f["op"] == "cut" and f["node"] not in self.h.controllers:
                pairs = [(f["node"], f["net"])]
            elif f["op"] in ("client_kill", "client_stop") and \
                    f["node"] not in self.h.controllers:
                pairs = [(f["node"], n) for n in NETS]
            elif f["op"] == "switch":
                pairs = [(n, f["net"]) for n in f["nodes"]]
            elif f["op"] == "asym" and f["per_mille"] == 1000:
                pairs = [(f["node"], n) for n in NETS]
            b, e = f["begin"], f["end"]
            for host, net in pairs:
                agent = self._active_throughout(b - 2000, b + 1)
                if agent is None:
                    self.unchecked["no active agent throughout"] += 1
                    continue
                if f["op"] == "asym" and f["controller"] != agent:
                    continue
                p = self.h.period(agent, b - 1000, e, self.h.meta["period_ms"], self.until)
                bound = self._loss(b - 1000, e) * p + p + SLACK_MS
                if e - b < bound + 200:
                    continue  # too short to require a verdict
                if b + bound > self.until:
                    continue  # not decidable yet
                if self._active_throughout(b - 2000, b + bound) != agent:
                    self.unchecked["the active agent changed"] += 1
                    continue
                why = self._agent_quiet(agent, net, b - 5000, b + bound)
                if why:
                    self.unchecked[why] += 1
                    continue
                if any(g["op"] in ("host_stop", "host_del") and g["node"] == host
                       for g in self.h.in_effect(b - 5000, b + bound, self.until)):
                    self.unchecked["the host was stopped or deleted"] += 1
                    continue
                if self._lost_at(agent, host, net, b):
                    self.unchecked["already lost"] += 1
                    continue
                if self._mnfa_in(agent, b - 5000, b + bound):
                    self.unchecked["MNFA in force"] += 1
                    continue
                self.checks["no_missed_loss"] += 1
                name, network = self.h.hosts[host], NETS[net]
                if not any(ev["kind"] == "loss" and ev["host"] == name and
                           ev["network"] == network and ev.get("acted", True) and
                           b <= ev["time_ms"] <= b + bound
                           for ev in self.h.events.get(agent, [])):
                    self.violate("no_missed_loss", b + bound, f"{self.h.hosts[agent]} did not "
                                 f"declare {name} lost on {network} within {bound} ms of "
                                 f"fault {f['fault']} ({f['op']}, {e - b} ms)")

    def observed(self):
        """Every agent polled at most POLL_GAP_MS apart while faults were applied: the other
        invariants read the polls (deaths, restarts, periods, memory), and a record with a
        hole would pass or fail them on what nobody saw."""
        steps = [s["t_ms"] for s in self.h.applied if s["t_ms"] <= self.until]
        if not steps:
            return
        first, last = self.h.meta["start_ms"], max(steps)
        for n in self.h.controllers:
            ts = sorted(p["t_ms"] for p in self.h.polls if p["node"] == n
                        and first <= p["t_ms"] <= self.until)
            self.checks["observed"] += 1
            edges = [first] + ts + ([last] if not ts or ts[-1] < last else [])
            for a, b in zip(edges, edges[1:]):
                if b - a > POLL_GAP_MS:
                    self.violate("observed", a, f"no poll of {self.h.hosts[n]}'s agent for "
                                 f"{(b - a) / 1000:.1f} s (from {(a - first) / 1000:.1f} s "
                                 "into the run): the record is incomplete (did the poller "
                                 "stop?)")
                    break

    def bounded(self):
        for agent in self.h.controllers:
            per = defaultdict(list)
            for e in self.h.events.get(agent, []):
                if e["host"] and e["time_ms"] <= self.until:
                    per[e["host"]].append(e["time_ms"])
            for host, ts in per.items():
                ts.sort()
                self.checks["bounded"] += 1
                j = 0
                for i in range(len(ts)):
                    while ts[i] - ts[j] >= 1000:
                        j += 1
                    if i - j + 1 > STORM_PER_S:
                        self.violate("bounded", ts[i], f"{self.h.hosts[agent]}: event storm, "
                                     f"{i - j + 1} events for {host} within a second")
                        break
        caused = defaultdict(list)
        for f in self.h.faults.values():
            if f["op"] in ("agent_kill", "agent_restart") and f["begin"] is not None:
                # A kill whose restart is not applied yet (the harness runs late while
                # commands to dead agents time out) keeps its agent dead until it is.
                end = f["end"] if f["end"] is not None else self.until
                caused[f["node"]].append((f["begin"], end + 3000))
        last_pid = {}
        for p in self.h.polls:
            if p["t_ms"] > self.until:
                continue
            n = p["node"]
            self.checks["bounded"] += 1
            excused = any(lo <= p["t_ms"] <= hi for lo, hi in caused[n])
            if not p.get("alive", True) and not excused:
                self.violate("bounded", p["t_ms"], f"{self.h.hosts[n]}'s agent is gone and "
                             "nobody killed it")
            if p.get("pid") and n in last_pid and p["pid"] != last_pid[n][0]:
                since = last_pid[n][1]
                if not any(lo <= p["t_ms"] and hi >= since for lo, hi in caused[n]):
                    self.violate("bounded", p["t_ms"], f"{self.h.hosts[n]}'s agent restarted "
                                 "by itself (a crash loop?)")
            if p.get("pid"):
                last_pid[n] = (p["pid"], p["t_ms"])
            # None: not read in that poll (the agent was gone); nothing to judge, not zero.
            if (p.get("rss_kb") or 0) > RSS_LIMIT_KB:
                self.violate("bounded", p["t_ms"], f"{self.h.hosts[n]} RSS {p['rss_kb']} kB")
            if (p.get("fds") or 0) > FD_LIMIT:
                self.violate("bounded", p["t_ms"], f"{self.h.hosts[n]} {p['fds']} open fds")

    def settled(self):
        fin, t = self.h.final, self.until
        self.checks["settled"] += 1
        if self.h.meta.get("settled") is False:
            self.violate("settled", t, "the cluster did not settle within 30 s of the last "
                         "fault (every host answering both agents, peer link, MNFA idle, no "
                         "alarm)")
        roles = {c: fin.get(c, {}).get("role") for c in self.h.controllers}
        self.checks["settled"] += 1
        if list(roles.values()).count("active") != 1:
            self.violate("settled", t, f"roles after settling: {roles}")
        # Each agent lists every host but itself: compare what both list, controllers aside.
        ctrl_names = {self.h.hosts[c] for c in self.h.controllers}
        inv = {c: sorted((h["name"], h.get("started")) for h in fin.get(c, {}).get("hosts", [])
                         if h["name"] not in ctrl_names)
               for c in self.h.controllers}
        first = self.h.controllers[0]
        for c in self.h.controllers[1:]:
            self.checks["settled"] += 1
            if inv[c] != inv[first]:
                self.violate("settled", t, f"inventories differ: {self.h.hosts[first]} "
                             f"{inv[first]} vs {self.h.hosts[c]} {inv[c]}")
        for c in self.h.controllers:
            a = fin.get(c, {})
            self.checks["settled"] += 4
            if roles[c] == "active" and a.get("alarms"):
                self.violate("settled", t, f"{self.h.hosts[c]} (active) still alarms "
                             f"{[(x.get('id'), x.get('host')) for x in a['alarms']]}")
            bad = [(h["name"], n["network"], n["state"]) for h in a.get("hosts", [])
                   for n in h.get("networks", []) if n.get("monitored") and n["state"] != "ok"]
            if bad:
                self.violate("settled", t, f"{self.h.hosts[c]}: hosts not ok: {bad}")
            if a.get("mnfa", {}).get("state") != "idle":
                self.violate("settled", t, f"{self.h.hosts[c]}: MNFA {a.get('mnfa')}")
            periods = [n["period_ms"] for n in a.get("status", {}).get("networks", [])]
            if any(p != self.h.meta["period_ms"] for p in periods):
                self.violate("settled", t, f"{self.h.hosts[c]}: period {periods}")

    def report(self):
        return {"violations": self.violations, "checks": dict(self.checks),
                "unchecked": dict(self.unchecked), "until_ms": self.until}


def main():
    ap = argparse.ArgumentParser(description="the nemesis's invariant checker")
    ap.add_argument("run_dir")
    ap.add_argument("--until", type=int, help="wall ms: check what is decidable by then")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    a = ap.parse_args()
    c = Checker(History.load(a.run_dir), a.until).run()
    r = c.report()
    if a.json:
        print(json.dumps(r, sort_keys=True))
    else:
        for v in r["violations"]:
            print(f"VIOLATION {v['invariant']} at {v['t_ms']}: {v['what']}")
        print("checks: " + ", ".join(f"{k} {v}" for k, v in sorted(r["checks"].items())))
        if r["unchecked"]:
            print("not checked (no verdict owed): " +
                  ", ".join(f"{k} {v}" for k, v in sorted(r["unchecked"].items())))
    sys.exit(1 if r["violations"] else 0)


if __name__ == "__main__":
    main()
