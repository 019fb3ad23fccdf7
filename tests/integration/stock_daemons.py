#!/usr/bin/env python3
"""Stock StarlingX heartbeat daemons on loopback, shaped as reference §3 says, for the
stock-interop integration test. Bounded in count and time; loopback (127.0.0.0/8) only.

  stock_daemons.py agent CLIENT_ADDR CLIENT_PORT AGENT_PORT C0_ADDR C1_ADDR PERIODS
      Two stock hbsAgents (controller-0 and -1) send PERIODS requests each to one client,
      padded to 427 or 339 bytes while declaring their own 2 histories, from an ephemeral
      port, sometimes two in one period; prints one JSON line with what came back.
  stock_daemons.py clients AGENT_ADDR CLIENT_PORT AGENT_PORT SECONDS NAME=ADDR[@GROUP][:v0] ...
      Stock hbsClients answering every request at the exact size (v0: a legacy client's
      63-byte header, no controller bits) for SECONDS; prints one JSON line of counts
      (and "ready" on stderr once every socket is bound). @GROUP: requests arrive on that
      multicast group, joined on ADDR (the testbed's namespaces); the answer goes to the
      requester at AGENT_PORT, as the stock client's.
Addresses outside 127.0.0.0/8 only with --in-namespace first, and only where no default
route leads off the machine (a test's own network namespace).
"""
import json
import random
import select
import socket
import struct
import sys
import time

REQ, RSP = b"cgts pulse req:", b"cgts pulse rsp:"


def history(controller, network, entries=3):
    ring = b"".join(struct.pack("<HH", 10 + i, 9 + i) if i < entries else b"\0\0\0\0"
                    for i in range(20))
    return struct.pack("<HHHH", controller | network << 4, entries, 20, entries % 20) + ring


def request(controller, seq, name, clue, stored):
    hist = history(controller, 0) + history(controller, 1)
    cluster = struct.pack("<BBHHHHBB", 1, 0, 0x5AA5, 0, 100, 12 + len(hist), 0, 2) + hist
    head = REQ + name.encode().ljust(32, b"\0")
    head += struct.pack("<IIII", seq, clue, controller << 8, 1)
    size = 63 + 12 + 88 * stored  # the stock agent sizes from its whole store
    return (head + cluster).ljust(size, b"\0")


def parse_response(data):
    if len(data) < 63 or data[:15] != RSP:
        return None
    seq, clue, flags, version = struct.unpack_from("<IIII", data, 47)
    out = {"seq": seq, "clue": clue, "ctrl": flags >> 8 & 3, "version": version,
           "size": len(data), "name": data[15:47].rstrip(b"\0").decode(), "hist_ctrl": []}
    if version >= 1 and len(data) >= 75:
        n = data[74]
        out["hist_ctrl"] = [data[75 + 88 * i] & 0xF for i in range(n)]
    return out


def run_agents(client_addr, client_port, agent_port, c0, c1, periods):
    addrs = [c0, c1]
    tx, rx = [], []
    for a in addrs:
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t.bind((a, 0))  # ephemeral source port, as the stock agent's transmit socket
        r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        r.bind((a, agent_port))
        tx.append(t)
        rx.append(r)
    sent = [0, 0]
    got = [[], []]
    rng = random.Random(7)
    deadline = time.monotonic() + periods * 0.1 + 3
    for seq in range(1, periods + 1):
        for c in (0, 1):
            bursts = 2 if rng.random() < 0.2 else 1  # up to two requests in one period
            for _ in range(bursts):
                stored = 4 if seq % 2 else 3
                tx[c].sendto(request(c, seq, "worker-0", 5, stored), (client_addr, client_port))
                sent[c] += 1
        end = time.monotonic() + 0.1
        while time.monotonic() < end:
            ready, _, _ = select.select(rx, [], [], max(0, end - time.monotonic()))
            for r in ready:
                data, src = r.recvfrom(1024)
                got[rx.index(r)].append(parse_response(data))
    while time.monotonic() < deadline and sum(map(len, got)) < sum(sent):
        ready, _, _ = select.select(rx, [], [], 0.2)
        for r in ready:
            data, src = r.recvfrom(1024)
            got[rx.index(r)].append(parse_response(data))
    res = {"sent": sent, "answered": [len(g) for g in got],
           "unparsed": sum(1 for g in got for x in g if x is None)}
    for c in (0, 1):
        ok = [x for x in got[c] if x]
        res[f"c{c}_wrong_ctrl"] = sum(1 for x in ok if x["ctrl"] != c)
        res[f"c{c}_crossed"] = sum(1 for x in ok if x["hist_ctrl"] and
                                   all(h == 1 - c for h in x["hist_ctrl"]))
        res[f"c{c}_sizes"] = sorted({x["size"] for x in ok})
    print(json.dumps(res))


def run_clients(agent_addr, client_port, agent_port, seconds, specs):
    socks, info = [], {}
    for spec in specs:
        name, addr = spec.split("=")
        legacy = addr.endswith(":v0")
        addr, _, group = addr.split(":")[0].partition("@")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if group:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((group, client_port))
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                         socket.inet_aton(group) + socket.inet_aton(addr))
        else:
            s.bind((addr, client_port))
        socks.append(s)
        info[s] = {"name": name, "legacy": legacy, "answered": 0}
    print("ready", file=sys.stderr, flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select(socks, [], [], 0.2)
        for s in ready:
            data, (src, _) = s.recvfrom(1024)
            if len(data) < 63 or data[:15] != REQ:
                continue
            me = info[s]
            seq, clue, flags, version = struct.unpack_from("<IIII", data, 47)
            name = me["name"].encode().ljust(32, b"\0")
            if me["legacy"]:
                rsp = RSP + name + struct.pack("<IIII", seq, clue, 1, 0)
            else:
                used = struct.unpack_from("<H", data, 71)[0]
                rsp = (RSP + name + struct.pack("<IIII", seq, clue, flags & 0x300 | 1, version)
                       + data[63:63 + used])
            s.sendto(rsp, (src, agent_port))  # from the interface toward the requester
            me["answered"] += 1
    print(json.dumps({v["name"]: v["answered"] for v in info.values()}))


def check_addresses(args, in_namespace):
    import ipaddress
    for a in args:
        for part in a.replace("=", " ").replace("@", " ").replace(":", " ").split():
            try:
                ip = ipaddress.ip_address(part)
            except ValueError:
                continue
            if ip.is_loopback or (in_namespace and (ip.is_private or ip.is_multicast)):
                continue
            sys.exit("stock_daemons: %s: loopback only (or private addresses with "
                     "--in-namespace)" % part)
    if in_namespace:
        with open("/proc/self/net/route") as routes:
            if any(line.split()[1] == "00000000" for line in list(routes)[1:]):
                sys.exit("stock_daemons: --in-namespace, but a default route leads off the "
                         "machine")


if __name__ == "__main__":
    in_namespace = len(sys.argv) > 1 and sys.argv[1] == "--in-namespace"
    if in_namespace:
        del sys.argv[1]
    check_addresses(sys.argv[2:], in_namespace)
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "agent" and len(sys.argv) == 8:
        a = sys.argv[2:]
        run_agents(a[0], int(a[1]), int(a[2]), a[3], a[4], int(a[5]))
    elif mode == "clients" and len(sys.argv) >= 7:
        a = sys.argv[2:]
        run_clients(a[0], int(a[1]), int(a[2]), float(a[3]), a[4:])
    else:
        sys.exit(__doc__)
