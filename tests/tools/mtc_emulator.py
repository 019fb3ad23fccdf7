#!/usr/bin/env python3
"""StarlingX's side of hbs-agent in starlingx mode, for tests (issue 11 §5): mtcAgent's
command sender and event receiver, and mtcalarmd. Loopback only.

  mtc_emulator.py listen --at ADDR --events P --ready P --alarms P --out FILE --seconds S
      records every event (1060-byte layout, reference §5.8, §9.2) and every alarm request
      (JSON, §7) as one JSON line each in FILE, until S seconds have passed.
  mtc_emulator.py send --from ADDR --to ADDR:PORT COMMAND HOST [MGMT_IP [CLSTR_IP]]
      sends one command in the §5.7 layout (COMMAND: ADD MOD DEL START STOP ACTIVE_CTRL
      RESTART BACKOFF RECOVER); --raw HEX sends those bytes instead.
  mtc_emulator.py burst --from ADDR --to ADDR:PORT --hosts N --prefix 127.0.70.
      ADD for N hosts (burst-0.. at PREFIX + 1..) back to back, as mtcAgent pushes its
      inventory after an agent restart.
  mtc_emulator.py amon --port P --reply P --name NAME --period S --seconds S --out FILE
      pmond's active monitor (amon, reference §9.2): "NAME 12345678 SEQ" to 127.0.0.1:P every
      S seconds; one JSON line per request in FILE: answered in time (before the next
      request) with the magic inverted and SEQ echoed, or not.
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time

COMMANDS = {"ADD": 0x11110010, "DEL": 0x11110011, "MOD": 0x11110012, "START": 0x11110014,
            "STOP": 0x11110015, "ACTIVE_CTRL": 0x11110016, "RESTART": 0x0000F11F,
            "BACKOFF": 0x0000F00F, "RECOVER": 0x00000FF0}
EVENTS = {0x5A5A5A5A: "READY", 0xDADEEDAD: "MINOR_SET", 0xDAD00DAD: "MINOR_CLR",
          0xBEEFBEEF: "DEGRADE_SET", 0xF00DF00D: "DEGRADE_CLR", 0x0000FEAD: "LOSS",
          0x06060606: "PMOND_CLEAR", 0x07070707: "PMOND_RAISE", 0x66600999: "HOST_STALLED",
          0xF0F0F0F0: "MONITOR_READY"}
SIZE = 1060


def cstr(b):
    return b.split(b"\0", 1)[0].decode("ascii", "replace")


def command_bytes(cmd, host, mgmt=None, clstr=None):
    body = {"hostname": host}
    if mgmt:
        body["mgmt_ip"] = mgmt
    if clstr:
        body["cluster_host_ip"] = clstr
    hdr = b"cgts mtc hbs cmd:".ljust(18, b"\0") + host.encode()[:31].ljust(46, b"\0")
    fixed = struct.pack("<HHIII5I", 2, 0, 0, COMMANDS[cmd], 1, 2, 0, 0, 0, 0)
    buf = json.dumps(body, separators=(",", ":")).encode().ljust(960, b"\0")
    out = hdr + fixed + buf
    assert len(out) == SIZE
    return out


def decode_event(data):
    if len(data) != SIZE:
        return {"bad": "size %d" % len(data)}
    ver, _rev, res, cmd, num, parm0 = struct.unpack_from("<HHIIII", data, 64)
    return {"signature": cstr(data[0:18]), "host": cstr(data[18:64]), "ver": ver,
            "event": EVENTS.get(cmd, hex(cmd)), "num": num, "network": parm0,
            "json": json.loads(cstr(data[100 + res:]))}


def listen(a):
    socks = {}
    for kind, port, addr in (("event", a.events, a.at), ("ready", a.ready, a.at),
                             ("alarm", a.alarms, "127.0.0.1")):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, port))
        socks[s] = kind
    end = time.monotonic() + a.seconds
    with open(a.out, "a", buffering=1) as out:
        while time.monotonic() < end:
            ready, _, _ = select.select(list(socks), [], [], 0.2)
            for s in ready:
                data, src = s.recvfrom(4096)
                if socks[s] == "alarm":
                    rec = {"kind": "alarm", "request": json.loads(data)}
                else:
                    rec = {"kind": socks[s], **decode_event(data)}
                rec["from"] = src[0]
                out.write(json.dumps(rec) + "\n")


def send(a):
    addr, port = a.to.rsplit(":", 1)
    data = bytes.fromhex(a.raw) if a.raw else command_bytes(a.command, a.host or "", a.mgmt,
                                                            a.clstr)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((getattr(a, "from"), 0))
    s.sendto(data, (addr, int(port)))


def burst(a):
    addr, port = a.to.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((getattr(a, "from"), 0))
    for i in range(a.hosts):
        ip = "%s%d.%d" % (a.prefix, 1 + i // 250, 1 + i % 250)
        s.sendto(command_bytes("ADD", "burst-%d" % i, ip), (addr, int(port)))


def amon(a):
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx.bind(("127.0.0.1", 0))
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", a.reply))
    seq, end = 0, time.monotonic() + a.seconds
    with open(a.out, "a", buffering=1) as out:
        while time.monotonic() < end:
            seq += 1
            tx.sendto(("%s %x %u" % (a.name, 0x12345678, seq)).encode(), ("127.0.0.1", a.port))
            due, rec = time.monotonic() + a.period, {"kind": "amon", "sequence": seq}
            while time.monotonic() < due:
                ready, _, _ = select.select([rx], [], [], max(0, due - time.monotonic()))
                if not ready:
                    continue
                text = rx.recv(200).decode("ascii", "replace")
                parts = text.split()
                rec.setdefault("answers", []).append(text)
                rec["answer"] = text
                # pmond's check: (magic ^ -1) == 0x12345678 and the sequence it sent; one
                # right answer in the period is what pmond needs
                try:
                    right = (len(parts) == 3 and parts[0] == a.name
                             and int(parts[1], 16) ^ 0xFFFFFFFF == 0x12345678
                             and int(parts[2]) == seq)
                except ValueError:
                    right = False
                rec["ok"] = rec.get("ok", False) or right
            rec.setdefault("ok", False)
            out.write(json.dumps(rec) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    li = sub.add_parser("listen")
    li.add_argument("--at", required=True)
    li.add_argument("--events", type=int, required=True)
    li.add_argument("--ready", type=int, required=True)
    li.add_argument("--alarms", type=int, required=True)
    li.add_argument("--out", required=True)
    li.add_argument("--seconds", type=float, required=True)
    se = sub.add_parser("send")
    se.add_argument("--from", required=True)
    se.add_argument("--to", required=True)
    se.add_argument("--raw")
    se.add_argument("command", nargs="?", choices=sorted(COMMANDS))
    se.add_argument("host", nargs="?")
    se.add_argument("mgmt", nargs="?")
    se.add_argument("clstr", nargs="?")
    bu = sub.add_parser("burst")
    bu.add_argument("--from", required=True)
    bu.add_argument("--to", required=True)
    bu.add_argument("--hosts", type=int, required=True)
    bu.add_argument("--prefix", required=True)
    am = sub.add_parser("amon")
    am.add_argument("--port", type=int, required=True)
    am.add_argument("--reply", type=int, required=True)
    am.add_argument("--name", required=True)
    am.add_argument("--period", type=float, default=5.0)
    am.add_argument("--seconds", type=float, required=True)
    am.add_argument("--out", required=True)
    p.add_argument("--in-namespace", action="store_true",
                   help="any address, but only where no default route leads off the machine "
                        "(a test's own network namespace)")
    a = p.parse_args()
    if a.in_namespace:
        with open("/proc/self/net/route") as routes:
            if any(line.split()[1] == "00000000" for line in list(routes)[1:]):
                sys.exit("mtc_emulator: --in-namespace, but a default route leads off the machine")
        {"listen": listen, "send": send, "burst": burst, "amon": amon}[a.what](a)
        return
    for addr in (getattr(a, "at", None), getattr(a, "to", "").split(":")[0],
                 getattr(a, "from", None)):
        if addr and not addr.startswith("127."):
            sys.exit("mtc_emulator: loopback addresses only (%s)" % addr)
    if not a.what == "burst" or a.prefix.startswith("127."):
        {"listen": listen, "send": send, "burst": burst, "amon": amon}[a.what](a)
    else:
        sys.exit("mtc_emulator: loopback addresses only (%s)" % a.prefix)


if __name__ == "__main__":
    main()
