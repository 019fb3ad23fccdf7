#pragma once
// The peer link's mutual TLS (CAF's OpenSSL module, reference control-plane §A). CAF 0.17
// checks that the peer's certificate chains to the configured CA but not whose it is, reads
// the files per connection (a bad file then aborts the process) and reports nothing about
// refused handshakes. So: the files are checked here at start, and every TLS context CAF
// builds gets a verify callback that admits only the configured peer's name and an info
// callback that counts and logs (throttled) every handshake this agent refuses.

#include <cstdint>
#include <string>

namespace hbs {

struct tls_files {
  std::string certificate; // PEM: this controller's certificate chain and private key
  std::string ca;          // PEM: the cluster CA (it signs only the two controllers)
};

// "" when the files load, the key matches the certificate, the certificate verifies against
// the CA and names `own_name`; else one line saying what is wrong.
std::string check_tls_files(const tls_files& files, const std::string& own_name);

// From now on a TLS handshake succeeds only with a certificate naming `peer_name` (DNS SAN
// or CN). Call before the first connection.
void tls_expect_peer(const std::string& peer_name);

// Handshakes refused so far (wrong or missing certificate, wrong name, plain BASP).
uint64_t num_tls_refused();

} // namespace hbs
