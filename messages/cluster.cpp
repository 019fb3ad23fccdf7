#include "messages/cluster.hpp"

namespace hbs::wire {

const char* to_string(decode_error e) {
  switch (e) {
    case decode_error::none: return "none";
    case decode_error::short_datagram: return "short_datagram";
    case decode_error::oversized: return "oversized";
    case decode_error::bad_header: return "bad_header";
    case decode_error::bad_version: return "bad_version";
    case decode_error::bad_magic: return "bad_magic";
    case decode_error::too_many_histories: return "too_many_histories";
    case decode_error::bytes_mismatch: return "bytes_mismatch";
    case decode_error::length_mismatch: return "length_mismatch";
    case decode_error::bad_controller: return "bad_controller";
    case decode_error::bad_network: return "bad_network";
    case decode_error::bad_history: return "bad_history";
  }
  return "unknown";
}

history_entry history::newest() const {
  if (entries == 0)
    return {};
  return ring[(oldest + history_entries - 1) % history_entries];
}

void history::append(history_entry e) {
  ring[oldest % history_entries] = e;
  oldest = static_cast<uint16_t>((oldest + 1) % history_entries);
  if (entries < history_entries)
    ++entries;
}

namespace {

void encode_history(const history& h, uint8_t* p) {
  uint16_t word = static_cast<uint16_t>((h.controller & 0xF) | ((h.network & 0xF) << 4));
  if (h.sm_heartbeat_fail)
    word |= 1u << 14;
  if (h.storage0_responding)
    word |= 1u << 15;
  store_u16(p, word);
  store_u16(p + 2, h.entries);
  store_u16(p + 4, h.entries_max);
  store_u16(p + 6, h.oldest);
  for (size_t i = 0; i < history_entries; ++i) {
    store_u16(p + 8 + 4 * i, h.ring[i].enabled);
    store_u16(p + 10 + 4 * i, h.ring[i].responding);
  }
}

decode_error decode_history(const uint8_t* p, history& h, rings r) {
  uint16_t word = load_u16(p);
  h.controller = word & 0xF;
  h.network = (word >> 4) & 0xF;
  h.sm_heartbeat_fail = (word >> 14) & 1;
  h.storage0_responding = (word >> 15) & 1;
  h.entries = load_u16(p + 2);
  h.entries_max = load_u16(p + 4);
  h.oldest = load_u16(p + 6);
  if (h.controller > 1)
    return decode_error::bad_controller;
  if (h.network > 1)
    return decode_error::bad_network;
  if (h.entries > history_entries || h.entries_max != history_entries
      || h.oldest >= history_entries)
    return decode_error::bad_history;
  if (r == rings::skipped)
    return decode_error::none;
  for (size_t i = 0; i < history_entries; ++i) {
    h.ring[i].enabled = load_u16(p + 8 + 4 * i);
    h.ring[i].responding = load_u16(p + 10 + 4 * i);
  }
  return decode_error::none;
}

} // namespace

size_t encode_cluster(const cluster_block& in, mutable_bytes out) {
  size_t n = in.num_histories > max_histories ? max_histories : in.num_histories;
  size_t size = cluster_header_size + history_size * n;
  if (out.size < size)
    return 0;
  uint8_t* p = out.data;
  p[0] = in.version;
  p[1] = in.revision;
  store_u16(p + 2, in.magic);
  store_u16(p + 4, in.reqid);
  store_u16(p + 6, in.period_msec);
  store_u16(p + 8, static_cast<uint16_t>(size));
  p[10] = in.storage0_enabled;
  p[11] = static_cast<uint8_t>(n);
  for (size_t i = 0; i < n; ++i)
    encode_history(in.histories[i], p + cluster_header_size + i * history_size);
  return size;
}

decode_error decode_cluster(bytes_view in, cluster_block& out, trailing tail, rings r) {
  if (in.size < cluster_header_size)
    return decode_error::short_datagram;
  const uint8_t* p = in.data;
  out.version = p[0];
  out.revision = p[1];
  out.magic = load_u16(p + 2);
  out.reqid = load_u16(p + 4);
  out.period_msec = load_u16(p + 6);
  uint16_t bytes = load_u16(p + 8);
  out.storage0_enabled = p[10];
  out.num_histories = 0;
  uint8_t n = p[11];
  if (out.magic != cluster_magic)
    return decode_error::bad_magic;
  if (out.version != cluster_version)
    return decode_error::bad_version;
  if (n > max_histories)
    return decode_error::too_many_histories;
  if (bytes != cluster_header_size + history_size * n)
    return decode_error::bytes_mismatch;
  if (in.size < bytes)
    return decode_error::short_datagram;
  if (in.size > bytes && tail == trailing::refused)
    return decode_error::length_mismatch;
  for (uint8_t i = 0; i < n; ++i) {
    auto err = decode_history(p + cluster_header_size + i * history_size, out.histories[i], r);
    if (err != decode_error::none)
      return err;
  }
  out.num_histories = n;
  return decode_error::none;
}

} // namespace hbs::wire
