// mtcAgent's command (reference §5.7) as anyone on the management network can send it to
// the command port (starlingx mode). The decoder promises errors by value; what it accepts
// re-encodes to a command that decodes to the same fields.
#include <cstdint>
#include <vector>

#include "fuzz/check.hpp"
#include "messages/mtc_message.hpp"

using namespace hbs::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mtc_command_message m;
  mtc_error e = mtc_error::none;
  try {
    e = decode_mtc_command({data, size}, m);
  } catch (...) {
    FUZZ_CHECK(!"decode_mtc_command threw; it must return its error by value");
  }
  FUZZ_CHECK(static_cast<size_t>(e) < num_mtc_errors);
  FUZZ_CHECK((size > mtc_message_size) == (e == mtc_error::oversized));
  if (e != mtc_error::none)
    return 0;
  FUZZ_CHECK(m.host.size() <= 63);
  std::vector<uint8_t> again(mtc_message_size);
  FUZZ_CHECK(encode_mtc_command(m, {again.data(), again.size()}) == mtc_message_size);
  mtc_command_message back;
  FUZZ_CHECK(decode_mtc_command({again.data(), again.size()}, back) == mtc_error::none);
  FUZZ_CHECK(back.command == m.command && back.host == m.host && back.mgmt_ip == m.mgmt_ip
             && back.cluster_host_ip == m.cluster_host_ip && back.node_type == m.node_type);
  return 0;
}
