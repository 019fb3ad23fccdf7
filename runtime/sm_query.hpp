#pragma once
// What SM does (reference §4.7), for hbsctl sm-query and tests: send the JSON query on
// loopback, wait for the binary vault with our reqid, read it the way SM reads it.

#include <string>

#include "messages/cluster.hpp"

namespace hbs {

struct sm_query_result {
  bool ok = false;
  std::string error;
  wire::cluster_block vault;
};

sm_query_result sm_query(const std::string& address, uint16_t server_port, uint16_t client_port,
                         uint16_t reqid, int timeout_ms);

} // namespace hbs
