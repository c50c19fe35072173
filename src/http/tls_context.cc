#include "http/tls_context.h"

#include <openssl/ssl.h>

namespace clemmys::http::detail {

namespace ssl = boost::asio::ssl;

namespace {
Result<std::unique_ptr<ssl::context>> baseContext(ssl::context::method method) {
  auto ctx = std::make_unique<ssl::context>(method);
  // TLS 1.3 only: no downgrade to older protocol versions or their cipher suites.
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_3_VERSION) != 1)
    return fail("http.tls_config", "cannot require TLS 1.3");
  ctx->set_options(ssl::context::no_compression);
  return ctx;
}
}  // namespace

Result<std::unique_ptr<ssl::context>> makeServerContext(const ServerTls& tls) {
  auto ctx = baseContext(ssl::context::tls_server);
  if (!ctx) return ctx;
  boost::system::error_code ec;
  (*ctx)->use_certificate_chain(boost::asio::buffer(tls.certChainPem), ec);
  if (ec) return fail("http.tls_config", "certificate chain: " + ec.message());
  (*ctx)->use_private_key(boost::asio::buffer(tls.privateKeyPem), ssl::context::pem, ec);
  if (ec) return fail("http.tls_config", "private key: " + ec.message());
  if (SSL_CTX_check_private_key((*ctx)->native_handle()) != 1)
    return fail("http.tls_config", "private key does not match the certificate");
  return ctx;
}

Result<std::unique_ptr<ssl::context>> makeClientContext(const ClientTls& tls) {
  auto ctx = baseContext(ssl::context::tls_client);
  if (!ctx) return ctx;
  boost::system::error_code ec;
  if (tls.verifyPeer) {
    if (tls.caPem.empty()) return fail("http.tls_config", "no trust anchor (CA) given");
    (*ctx)->add_certificate_authority(boost::asio::buffer(tls.caPem), ec);
    if (ec) return fail("http.tls_config", "CA certificate: " + ec.message());
    (*ctx)->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  } else {
    (*ctx)->set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

}  // namespace clemmys::http::detail
