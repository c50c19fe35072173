#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <gtest/gtest.h>

#include "http/client.h"
#include "http/server.h"

namespace clemmys::http {
namespace {

struct TestCert {
  std::string certPem, keyPem, der;
};

// A self-signed P-256 certificate for 127.0.0.1, made in-process for hermetic tests.
TestCert makeCert(const char* cn) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  TestCert out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  char* p;
  long n = BIO_get_mem_data(b, &p);
  out.certPem.assign(p, static_cast<size_t>(n));
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  n = BIO_get_mem_data(b, &p);
  out.keyPem.assign(p, static_cast<size_t>(n));
  BIO_free(b);
  unsigned char* der = nullptr;
  int len = i2d_X509(x, &der);
  out.der.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

std::unique_ptr<Server> tlsServer(const TestCert& cert) {
  ServerOptions o;
  o.tls = ServerTls{cert.certPem, cert.keyPem};
  auto s = Server::start(o, [](Request& r) { return Response::text(200, "secure " + r.path); });
  EXPECT_TRUE(s) << s.error().str();
  return std::move(*s);
}

TEST(Tls, RoundTripWithPinnedCa) {
  TestCert cert = makeCert("clemmys test");
  auto server = tlsServer(cert);
  Client client("127.0.0.1", server->port(), ClientTls{cert.certPem, "", true});
  for (int i = 0; i < 3; ++i) {
    auto r = client.request("GET", "/hello");
    ASSERT_TRUE(r) << r.error().str();
    EXPECT_EQ(r->body, "secure /hello");
  }
  EXPECT_EQ(client.peerCertificateDer(), cert.der);
}

TEST(Tls, UnknownCaIsRefused) {
  TestCert cert = makeCert("server");
  TestCert other = makeCert("someone else");
  auto server = tlsServer(cert);
  Client client("127.0.0.1", server->port(), ClientTls{other.certPem, "", true});
  auto r = client.request("GET", "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "http.tls_handshake_failed");
}

TEST(Tls, WrongServerNameIsRefused) {
  TestCert cert = makeCert("server");
  auto server = tlsServer(cert);
  Client client("127.0.0.1", server->port(), ClientTls{cert.certPem, "kms.example", true});
  auto r = client.request("GET", "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "http.tls_handshake_failed");
}

TEST(Tls, UnverifiedModeExposesTheCertificate) {
  TestCert cert = makeCert("server");
  auto server = tlsServer(cert);
  Client client("127.0.0.1", server->port(), ClientTls{"", "", false});
  auto r = client.request("GET", "/x");
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(client.peerCertificateDer(), cert.der);
}

TEST(Tls, PlainClientGetsNoAnswerFromTlsServer) {
  TestCert cert = makeCert("server");
  auto server = tlsServer(cert);
  Client client("127.0.0.1", server->port());
  auto r = client.request("GET", "/", {}, {}, std::chrono::milliseconds(2000));
  EXPECT_FALSE(r && r->status == 200);
}

}  // namespace
}  // namespace clemmys::http
