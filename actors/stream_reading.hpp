#pragma once
// How a network reads a stream of answers; bench/udp_floor.cpp's floor reads the same way,
// from this header, so the two cannot drift apart. Pure, no CAF.

#include <chrono>
#include <cstddef>

namespace hbs {

// Answers arriving in a stream (thousands per period): the socket is read again after a
// pause instead of re-armed per handful. At 10,000 hosts each network re-armed 277 times a
// period (36 answers per wake-up), and every re-arm is an epoll_ctl plus two cross-thread
// wake-ups (perf: 9 % of the agent's CPU in epoll_ctl alone). The pause was 1 ms, ~80
// wake-ups a period and network; at 4 ms there are a third as many futex calls (strace,
// 10,000 hosts: 12,707 -> 4,883 in 5 s) for as many recvmmsg calls, all but the last of a
// wake-up full; at 8 ms the agent used ~5 % less CPU again (scripts/bench-ab, 4,000 hosts:
// NEW/OLD median 0.949 over 5 runs). Reading a little later changes no figure: the RTT is
// the kernel's receive stamp, a period's close drains first, and 8 ms of answers (~800 a
// network at 10,000 hosts) is nothing to the socket's 32 MiB buffer. A stream that never
// pauses (a flood) still re-arms once a period: the watchdog counts a socket as waiting for
// its actor from readiness until the re-arm, and stops feeding systemd past 2 s.
constexpr std::size_t stream_read = 16;
constexpr auto stream_pause = std::chrono::milliseconds{8};

// Whether a wake-up that read `read` datagrams is in a stream (read again after
// stream_pause) or not (wait for the socket to become readable). `due`: the answers the
// period's request still awaits, where the reader knows it (else 0). Without it a stream's
// first answers, a few per wake-up at the pace the hosts send them, each re-armed the socket:
// at 10,000 hosts the readiness thread then ran 118-340 ms in 10 s, and it preempts the
// reader on the agent's one core (with `due`: 32-58 ms, the agent 22.4 % of a core against
// 25.0 %, busy p99 14.9 ms wall against 15.8, medians of 7 alternated rig runs,
// results/experiment-receive-floor-20261204T2330Z.md). A wake-up that read nothing is no
// stream, and a handful with nothing more due is not either: a small cluster's answers never
// start a timer.
constexpr bool in_stream(std::size_t read, std::size_t due) {
  return read >= stream_read || (read > 0 && due >= stream_read);
}

} // namespace hbs
