#pragma once
// The StarlingX maintenance message (`mtc_message_type`, reference §5.7, §5.8, §9.2): 1060
// packed little-endian bytes: 64-byte header text (signature at 0, host name at 18), ver,
// rev, res, cmd, num, parm[5], then a 960-byte buffer holding JSON at offset res. mtcAgent
// sends commands in it to hbs-agent (starlingx mode); the agent sends its events in it, and
// hbs-client its MONITOR_READY. Pure functions, no CAF include.

#include <cstdint>
#include <string>
#include <string_view>

#include "messages/bytes.hpp"

namespace hbs::wire {

constexpr size_t mtc_message_size = 1060;
constexpr size_t mtc_fixed_size = 100; // everything before the buffer
constexpr size_t mtc_buffer_size = 960;

// Commands from mtcAgent (reference §5.7).
enum class mtc_command : uint32_t {
  add_host = 0x11110010,
  del_host = 0x11110011,
  mod_host = 0x11110012,
  start_host = 0x11110014,
  stop_host = 0x11110015,
  active_ctrl = 0x11110016,
  restart_hbs = 0x0000F11F,
  backoff_hbs = 0x0000F00F,
  recover_hbs = 0x00000FF0,
};

// Events to mtcAgent (reference §5.4, §5.5, §5.8, §9.2).
enum class mtc_event : uint32_t {
  ready = 0x5A5A5A5A,
  minor_set = 0xDADEEDAD,
  minor_clear = 0xDAD00DAD,
  degrade_set = 0xBEEFBEEF,
  degrade_clear = 0xF00DF00D,
  loss = 0x0000FEAD,
  pmond_clear = 0x06060606,
  pmond_raise = 0x07070707,
  host_stalled = 0x66600999,
  monitor_ready = 0xF0F0F0F0, // hbs-client to mtcAgent port 2101
};

// Node-type mask in parm[0] of ADD/MOD.
constexpr uint32_t node_controller = 1, node_worker = 2, node_storage = 4;

enum class mtc_error : uint8_t {
  none,
  short_message, // shorter than the fixed part
  oversized,     // longer than 1060 bytes
  bad_header,    // not "cgts mtc hbs cmd:"
  unknown_command,
  bad_json,      // a buffer that starts with '{' but is not a JSON object of strings
  no_host_name,  // a host command without a valid host name
  bad_address,   // mgmt_ip / cluster_host_ip present but not an IPv4 address
  not_allowed,   // from an address that is not mtcAgent's (the gateway's check)
};
constexpr size_t num_mtc_errors = 9;
const char* to_string(mtc_error e);

struct mtc_command_message {
  mtc_command command{};
  std::string host;           // JSON "hostname", else the legacy header name
  std::string mgmt_ip;        // ADD/MOD only, may be empty
  std::string cluster_host_ip;
  uint32_t node_type = 0;     // parm[0] when num >= 1
};

// Strict where it matters (signature, size, command, names), liberal where mtcAgent's older
// versions differ: a message may stop after its JSON, and a ver < 2 one names the host only
// in the header.
mtc_error decode_mtc_command(bytes_view in, mtc_command_message& out);

// An event in the §5.8 layout; returns the bytes written (always 1060), 0 if out is too
// small. network goes to parm[0] (0 management, 1 cluster-host); service names the sender.
size_t encode_mtc_event(mtc_event e, std::string_view host, uint8_t network,
                        std::string_view service, mutable_bytes out);

// A command in the §5.7 layout (what mtcAgent sends: tests and the emulator use it).
size_t encode_mtc_command(const mtc_command_message& m, mutable_bytes out);

const char* to_string(mtc_command c);
const char* to_string(mtc_event e);

} // namespace hbs::wire
