#pragma once
// The control credential: a random token in a file only root reads (0600). The agent
// creates it at first start and hbsctl reads it for the commands that change state; to let
// an admin group act too, give the file to that group (0640).

#include <memory>
#include <string>

#include "config/config.hpp"
#include "messages/pulse_auth.hpp"

namespace hbs {

// Agent: reads the token at path, or creates it (32 random bytes as hex; the directory
// 0755, the file 0600, written whole). False with a reason when neither works.
bool ensure_token(const std::string& path, std::string& token, std::string& error);
// hbsctl: the token at path; false with a reason (missing, unreadable, too short).
bool read_token(const std::string& path, std::string& token, std::string& error);
// Pulse authentication as configured: null when off; else the gate with the key read from
// its file (null and `error` set when it cannot be read or is not a key).
std::shared_ptr<const wire::pulse_gate> load_pulse_gate(const cfg::pulse_auth_config& c,
                                                        std::string& error);

} // namespace hbs
