// Writes the binary seeds of fuzz/corpus with the real encoders: pulses as agents and
// clients send them, and vault blocks as SM receives them. Run after a wire change:
//   build-fuzz/fuzz/fuzz-seeds fuzz/corpus
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "messages/pulse.hpp"

using namespace hbs::wire;

namespace {

history sample(uint8_t controller, uint8_t network, uint16_t periods, uint16_t hosts) {
  history h;
  h.controller = controller;
  h.network = network;
  for (uint16_t i = 0; i < periods; ++i)
    h.append({hosts, static_cast<uint16_t>(i % 7 == 3 ? hosts - 1 : hosts)});
  return h;
}

bool write(const std::string& path, const uint8_t* data, size_t n) {
  std::ofstream out{path, std::ios::binary};
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
  if (!out)
    std::fprintf(stderr, "fuzz-seeds: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

bool write_pulse(const std::string& path, pulse_kind kind, const pulse& p) {
  uint8_t buf[max_pulse_size];
  size_t n = encode_pulse(kind, p, {buf, sizeof buf});
  return n != 0 && write(path, buf, n);
}

// As a stock hbsAgent sends once it stores the peer's histories: zeros up to `size`.
bool write_padded(const std::string& path, const pulse& p, size_t size) {
  uint8_t buf[max_pulse_size] = {};
  size_t n = encode_pulse(pulse_kind::request, p, {buf, sizeof buf});
  return n != 0 && n <= size && write(path, buf, size);
}

bool write_block(const std::string& path, const cluster_block& c) {
  uint8_t buf[max_cluster_size];
  size_t n = encode_cluster(c, {buf, sizeof buf});
  return n != 0 && write(path, buf, n);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz-seeds CORPUS_DIR (its pulse_decode/ and "
                         "cluster_decode/ must exist)\n");
    return 2;
  }
  std::string pulses = std::string{argv[1]} + "/pulse_decode/";
  std::string blocks = std::string{argv[1]} + "/cluster_decode/";
  bool ok = true;

  // Requests: controller-1 naming worker-3 as the index clue's owner, carrying its own
  // history on one or both networks; a locked controller carries none.
  pulse req;
  req.set_name("worker-3");
  req.sequence = 4711;
  req.clue = 3;
  req.flags = 1u << controller_shift;
  req.cluster.period_msec = 100;
  ok &= write_pulse(pulses + "seed-request-no-history.bin", pulse_kind::request, req);
  req.cluster.num_histories = 1;
  req.cluster.histories[0] = sample(1, 0, 20, 50);
  ok &= write_pulse(pulses + "seed-request-mgmt.bin", pulse_kind::request, req);
  req.cluster.num_histories = 2;
  req.cluster.histories[1] = sample(1, 1, 7, 50);
  req.cluster.histories[1].sm_heartbeat_fail = true;
  ok &= write_pulse(pulses + "seed-request-both-networks.bin", pulse_kind::request, req);
  ok &= write_padded(pulses + "seed-request-stock-padded-339.bin", req, 339);
  ok &= write_padded(pulses + "seed-request-stock-padded-427.bin", req, 427);
  pulse legacy = req;
  legacy.version = 0;
  legacy.flags = 0;
  ok &= write_pulse(pulses + "seed-request-legacy-v0.bin", pulse_kind::request, legacy);
  ok &= write_padded(pulses + "seed-request-legacy-v0-padded.bin", legacy, 427);
  req.cluster.num_histories = 1;
  ok &= write_padded(pulses + "seed-request-stock-padded-one-history.bin", req, 339);
  req.cluster.num_histories = 0;
  ok &= write_padded(pulses + "seed-request-stock-padded-no-history.bin", req, 427);
  req.cluster.num_histories = 2;

  // Responses: worker-3 answering controller-0 with controller-1's block (the criss-cross),
  // and the 427-byte maximum with four histories.
  pulse rsp;
  rsp.set_name("worker-3");
  rsp.sequence = 4711;
  rsp.clue = 3;
  rsp.flags = pmond_flag | cluster_host_flag;
  rsp.cluster = req.cluster;
  ok &= write_pulse(pulses + "seed-response-crossed.bin", pulse_kind::response, rsp);
  rsp.cluster.storage0_enabled = 1;
  rsp.cluster.num_histories = 4;
  rsp.cluster.histories[2] = sample(0, 0, 25, 1000);
  rsp.cluster.histories[3] = sample(0, 1, 3, 1000);
  rsp.cluster.histories[3].storage0_responding = true;
  ok &= write_pulse(pulses + "seed-response-four-histories.bin", pulse_kind::response, rsp);
  rsp.cluster.num_histories = 0;
  ok &= write_pulse(pulses + "seed-response-no-history.bin", pulse_kind::response, rsp);
  pulse legacy_rsp = rsp;
  legacy_rsp.version = 0;
  ok &= write_pulse(pulses + "seed-response-legacy-v0.bin", pulse_kind::response, legacy_rsp);

  // Vault blocks as SM gets them: empty (locked), one, and the full four with reqid set.
  cluster_block vault;
  vault.period_msec = 100;
  ok &= write_block(blocks + "seed-vault-empty.bin", vault);
  vault.reqid = 1;
  vault.num_histories = 1;
  vault.histories[0] = sample(0, 0, 12, 8);
  ok &= write_block(blocks + "seed-vault-one.bin", vault);
  vault.reqid = 65535;
  vault.storage0_enabled = 1;
  vault.num_histories = 4;
  vault.histories[1] = sample(0, 1, 20, 8);
  vault.histories[1].storage0_responding = true;
  vault.histories[2] = sample(1, 0, 30, 8);
  vault.histories[2].sm_heartbeat_fail = true;
  vault.histories[3] = sample(1, 1, 0, 8);
  ok &= write_block(blocks + "seed-vault-four.bin", vault);
  return ok ? 0 : 1;
}
