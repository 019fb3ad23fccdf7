#include "runtime/tls.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "runtime/log.hpp"

namespace hbs {

namespace {

std::mutex name_mtx;
std::string expected_peer; // empty: no callbacks installed (plain runs, hbsctl)
std::atomic<uint64_t> refused{0};

std::string openssl_error() {
  auto code = ERR_get_error();
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return code == 0 ? "unknown OpenSSL error" : buf;
}

bool names(X509* cert, const std::string& name) {
  return X509_check_host(cert, name.data(), name.size(), 0, nullptr) == 1;
}

// Depth 0 is the peer itself: it must be the configured peer, not just anyone the CA knows.
int verify_peer(int ok, X509_STORE_CTX* ctx) {
  auto* cert = X509_STORE_CTX_get_current_cert(ctx);
  char subject[256] = "?";
  if (cert)
    X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  if (!ok) {
    log::warn("tls", "refused a certificate ({}): {}", subject,
              X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    return 0;
  }
  if (X509_STORE_CTX_get_error_depth(ctx) != 0)
    return 1;
  std::string want;
  {
    std::lock_guard<std::mutex> guard{name_mtx};
    want = expected_peer;
  }
  if (cert && names(cert, want))
    return 1;
  log::warn("tls", "refused a certificate of the cluster CA that is not {}'s ({})", want,
            subject);
  return 0;
}

// A fatal alert this side sends ends a handshake it refused: counted, logged now and then.
void on_info(const SSL* ssl, int where, int value) {
  if (!(where & SSL_CB_WRITE_ALERT) || (value >> 8) != SSL3_AL_FATAL)
    return;
  // A connection that sent nothing is a reachability probe (the peer link's own, before it
  // dials) or a port scan, not a handshake attempt.
  if (auto* rbio = SSL_get_rbio(ssl); rbio && BIO_number_read(rbio) == 0)
    return;
  auto n = ++refused;
  if (n == 1 || n % 100 == 0)
    log::warn("tls", "peer link handshake refused ({}; {} refused so far){}",
              SSL_alert_desc_string_long(value), n,
              SSL_is_server(ssl) ? ": a connection without the peer's certificate" : "");
}

} // namespace

std::string check_tls_files(const tls_files& files, const std::string& own_name) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{SSL_CTX_new(TLS_method()),
                                                          &SSL_CTX_free};
  if (!ctx)
    return "cannot create a TLS context: " + openssl_error();
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.certificate.c_str()) != 1)
    return fmt::format("{}: no certificate chain: {}", files.certificate, openssl_error());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.certificate.c_str(), SSL_FILETYPE_PEM) != 1)
    return fmt::format("{}: no private key: {}", files.certificate, openssl_error());
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    return fmt::format("{}: the key does not match the certificate", files.certificate);
  if (SSL_CTX_load_verify_locations(ctx.get(), files.ca.c_str(), nullptr) != 1)
    return fmt::format("{}: no CA certificate: {}", files.ca, openssl_error());
  auto* cert = SSL_CTX_get0_certificate(ctx.get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> vctx{X509_STORE_CTX_new(),
                                                                       &X509_STORE_CTX_free};
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx.get(), &chain);
  if (!vctx || X509_STORE_CTX_init(vctx.get(), SSL_CTX_get_cert_store(ctx.get()), cert, chain)
                 != 1)
    return "cannot verify the certificate: " + openssl_error();
  if (X509_verify_cert(vctx.get()) != 1)
    return fmt::format("{} does not verify against {}: {}", files.certificate, files.ca,
                       X509_verify_cert_error_string(X509_STORE_CTX_get_error(vctx.get())));
  if (!names(cert, own_name))
    return fmt::format("{} does not name this controller ({})", files.certificate, own_name);
  return {};
}

void tls_expect_peer(const std::string& peer_name) {
  std::lock_guard<std::mutex> guard{name_mtx};
  expected_peer = peer_name;
}

uint64_t num_tls_refused() {
  return refused.load();
}

} // namespace hbs

// CAF's OpenSSL module builds a fresh context per connection and asks for peer verification
// without a callback (libcaf_openssl session.cpp). This definition, exported by the agent
// (the module references the symbol), gives each such context the callbacks above and then
// calls OpenSSL's own.
extern "C" void SSL_CTX_set_verify(SSL_CTX* ctx, int mode, SSL_verify_cb cb) {
  using real_fn = void (*)(SSL_CTX*, int, SSL_verify_cb);
  static auto real = reinterpret_cast<real_fn>(dlsym(RTLD_NEXT, "SSL_CTX_set_verify"));
  bool checking = false;
  {
    std::lock_guard<std::mutex> guard{hbs::name_mtx};
    checking = !hbs::expected_peer.empty();
  }
  if (checking && (mode & SSL_VERIFY_PEER)) {
    cb = hbs::verify_peer;
    SSL_CTX_set_info_callback(ctx, hbs::on_info);
  }
  real(ctx, mode, cb);
}
