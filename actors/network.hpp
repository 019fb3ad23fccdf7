#pragma once
// One monitored network of the agent: each period it closes attendance, sends one request
// (multicast, or unicast fan-out), and counts responses by source address. Hosts hear only
// exceptions: misses, responses while they recover, flag changes.

#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/address_index.hpp"
#include "actors/interfaces.hpp"
#include "actors/link_quality.hpp"
#include "actors/liveness.hpp"
#include "actors/local_health.hpp"
#include "actors/stream_reading.hpp"
#include "config/config.hpp"
#include "messages/pulse.hpp"
#include "messages/pulse_auth.hpp"
#include "runtime/beat.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

// Round trips are measured in one period of rtt_sample_every: the fewest (a power of two)
// that keep a network's stamped answers within a budget a second. The kernel's receive stamp
// is a control message per datagram (at 10,000 hosts one period in four was ~4 % of the
// agent's CPU, issue 16 §2), so the budget bounds its cost at any size and period: at 100 ms
// every period up to 1,250 hosts, one in eight at 10,000 (75 samples a minute per host); at
// 1,000 ms every period up to 12,500 hosts.
constexpr size_t rtt_stamp_budget = 12'500; // stamped answers a second per network

inline uint32_t rtt_sample_every(size_t hosts, int64_t period_ms, size_t stamps_per_s) {
  uint32_t every = 1;
  while (every < 1024 && hosts * 1000 > stamps_per_s * static_cast<size_t>(period_ms) * every)
    every *= 2;
  return every;
}

// Whether the period with this sequence number measures round trips.
inline bool measures_round_trips(size_t hosts, int64_t period_ms, size_t stamps_per_s,
                                 uint32_t sequence) {
  return sequence % rtt_sample_every(hosts, period_ms, stamps_per_s) == 0;
}

struct network_setup {
  cfg::network_config net;
  std::string controller;
  uint32_t controller_number = 0;
  uint32_t period_ms = 100;
  thresholds limits;
  std::shared_ptr<datagram_socket> socket;
  vault_actor vault;
  std::shared_ptr<beat> progress; // beats at every period close, for the watchdog; may be null
  std::shared_ptr<const wire::pulse_gate> auth; // pulse authentication; null: off
  size_t rtt_stamps_per_s = hbs::rtt_stamp_budget; // round-trip budget; tests lower it
};

// What every period and response reads or writes, and nothing else: one cache line a host,
// so a network's 10,000 slots are 640 KB in a row that a period walks twice (its close and
// its answers), within a core's L2. Slots of 640 bytes (link history and name inline) spread
// those lines over 6.4 MB, which each walk read from the L3 a VM shares with other guests
// (no CPU difference the bench could show; RSS 82 -> 72-76 MB at 10,000 hosts).
struct alignas(64) host_slot {
  uint32_t addr = 0;
  attendance att;
  uint8_t window = 0;          // responses still to forward after a miss or a start
  bool answered_ever = false;
  bool storage0 = false;       // named storage-0: its attendance goes into the period summary
  uint32_t last_flags = ~0u;   // forward flag changes
  uint64_t num_pulses = 0;
  caf::actor_clock::time_point last_response{};
  link_quality link; // round trips, loss and flaps (hbsctl hosts, metrics)
};

// A slot's host by name and actor, at the same index as its slot: read on a miss, a
// forwarded answer, a unicast request or a query.
struct host_ref {
  std::string name;
  host_actor actor;
};

// Walks over every slot (a period's close, a request's open) load the slot a few ahead: by
// then a slot's line may be cold (the period's answers went through the cache since).
inline void prefetch_ahead_of(const std::vector<host_slot>& slots, size_t i) {
  constexpr size_t ahead = 8;
  if (i + ahead < slots.size())
    __builtin_prefetch(&slots[i + ahead], 1);
}

struct network_state {
  network_setup setup;
  caf::timespan period{};
  caf::actor_clock::time_point next_tick{};
  caf::actor_clock::time_point request_sent{}; // when this period's request left
  caf::timespan request_period{};               // the period that applied when it left
  int64_t request_sent_ns = 0; // the same, on the socket's receive-time clock (0: none)
  uint32_t sent_sequence = ~0u;                 // the sequence of the last request sent
  bool request_complete = false;                // it reached every host (or group)
  local_health health{0};
  uint32_t sequence = 0;
  bool started = false;
  bool ticking = false; // a tick is scheduled; false while no host is watched
  caf::actor_clock::time_point last_rearm{}; // readiness last asked for (on_readable)
  uint64_t counted_before_request = 0; // counters.num_counted when this period's request left
  size_t round_robin = 0;
  uint32_t self_addr = 0;
  uint32_t group_addr = 0;
  std::vector<host_slot> slots;
  std::vector<host_ref> refs; // refs[i] is slots[i]'s host
  address_index by_addr;
  std::unordered_map<std::string, size_t> by_name;
  network_counters counters;
  // Scratch space reused every period: no allocation on the per-pulse path.
  std::array<datagram, 64> rx;
  std::array<uint8_t, wire::max_pulse_size + wire::auth_trailer_size> tx{};
  std::vector<outgoing> fan_out;
  wire::cluster_block own;   // this controller's histories, from the vault
  period_summary summary;    // accumulates peer history during a period
  // The period's newest counted view of the peer's histories, as bytes: decoded once when
  // the period closes, not once per batch of answers.
  std::array<uint8_t, wire::max_cluster_size> peer_view{};
  size_t peer_view_size = 0;
  bool locked = false;
  wire::pulse request;
  wire::pulse response;
  static inline const char* name = "network";
};

using network_ptr = network_actor::stateful_pointer<network_state>;

// Responses (network_responses.cpp). read_responses reads up to max_batches x 64 datagrams
// and counts them: true when the socket is empty; read: how many. on_readable reads a stream
// of answers again after stream_pause, not re-armed per handful.
bool read_responses(network_ptr self, int max_batches, size_t* read = nullptr);
void on_readable(network_ptr self);
// The period's newest peer view into the summary (at the close, after the last read).
void take_peer_view(network_state& st);

// Inventory and snapshots (network_inventory.cpp).
void watch_host(network_state& st, const std::string& name, const std::string& address,
                host_actor h);
void unwatch_host(network_state& st, const std::string& name);
network_counters counters_of(const network_state& st, caf::actor_clock::time_point now);
std::vector<net_host_row> host_rows(const network_state& st, caf::actor_clock::time_point now);
// Responses a host still gets forwarded after a miss: enough to recover from a loss.
uint8_t recovery_window(const network_state& st);
// The actor clock in ms: link quality's windows run on it (simulated time in tests).
inline int64_t clock_ms(caf::actor_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline const char* network_label(const network_state& st) {
  return cfg::network_label(st.setup.net.index);
}

network_actor::behavior_type network_fn(network_ptr self, network_setup s);

} // namespace hbs
