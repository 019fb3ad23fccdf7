#include "messages/pulse.hpp"

#include <cstring>

namespace hbs::wire {

namespace {

constexpr const char* header_text(pulse_kind kind) {
  return kind == pulse_kind::request ? "cgts pulse req:" : "cgts pulse rsp:";
}

} // namespace

std::string_view pulse::name_view() const {
  size_t n = 0;
  while (n < name.size() && name[n] != '\0')
    ++n;
  return {name.data(), n};
}

void pulse::set_name(std::string_view n) {
  name.fill('\0');
  if (n.size() < host_name_area)
    std::memcpy(name.data(), n.data(), n.size());
}

size_t encode_pulse_header(pulse_kind kind, const pulse& in, mutable_bytes out) {
  if (out.size < pulse_header_size)
    return 0;
  uint8_t* p = out.data;
  std::memcpy(p, header_text(kind), header_text_size);
  std::memcpy(p + header_text_size, in.name.data(), host_name_area);
  store_u32(p + 47, in.sequence);
  store_u32(p + 51, in.clue);
  store_u32(p + 55, in.flags);
  store_u32(p + 59, in.version);
  return pulse_header_size;
}

size_t encode_pulse(pulse_kind kind, const pulse& in, mutable_bytes out) {
  if (encode_pulse_header(kind, in, out) == 0)
    return 0;
  if (in.version == 0)
    return pulse_header_size;
  auto n = encode_cluster(in.cluster, {out.data + pulse_header_size,
                                       out.size - pulse_header_size});
  return n == 0 ? 0 : pulse_header_size + n;
}

decode_error decode_pulse(pulse_kind kind, bytes_view in, pulse& out, rings r) {
  if (in.size > max_pulse_size)
    return decode_error::oversized;
  if (in.size < header_text_size)
    return decode_error::short_datagram;
  if (std::memcmp(in.data, header_text(kind), header_text_size) != 0)
    return decode_error::bad_header;
  if (in.size < pulse_header_size)
    return decode_error::short_datagram;
  const uint8_t* p = in.data;
  std::memcpy(out.name.data(), p + header_text_size, host_name_area);
  out.sequence = load_u32(p + 47);
  out.clue = load_u32(p + 51);
  out.flags = load_u32(p + 55);
  out.version = load_u32(p + 59);
  out.cluster.num_histories = 0;
  if (out.controller() > 1)
    return decode_error::bad_controller;
  if (out.version > pulse_version)
    return decode_error::bad_version;
  if (out.version == 0) // legacy: no cluster data; whatever follows is ignored (reference §3)
    return decode_error::none;
  return decode_cluster({p + pulse_header_size, in.size - pulse_header_size}, out.cluster,
                        trailing::ignored, r);
}

} // namespace hbs::wire
