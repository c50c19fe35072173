#include "crypto/cert_issuer.h"

#include "crypto/pem_writer.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace clemmys::crypto {
namespace {

struct X509Free {
  void operator()(X509* c) const { X509_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

bool isIpLiteral(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

Status checkName(const std::string& name) {
  for (char c : name) {
    // Names end up inside OpenSSL's extension config syntax; keep them plain.
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' || c == '*';
    if (!ok) return fail("crypto.bad_name", "certificate name contains '" + std::string(1, c) + "'");
  }
  if (name.empty()) return fail("crypto.bad_name", "empty certificate name");
  return {};
}

// Builds and signs; `issuer` null means self-signed.
Result<Certificate> build(const EcPrivateKey& signer, X509* issuer, EVP_PKEY* subjectKey, const CertSpec& spec) {
  for (const auto& n : spec.altNames) {
    if (auto st = checkName(n); !st) return std::unexpected(st.error());
  }
  X509Ptr cert(X509_new());
  if (!cert) return fail("crypto.cert_issue_failed", "out of memory");
  bool ok = X509_set_version(cert.get(), X509_VERSION_3) == 1;
  BIGNUM* serial = BN_bin2bn(spec.serial.data(), static_cast<int>(spec.serial.size()), nullptr);
  if (serial == nullptr || BN_is_zero(serial)) ok = false;
  if (ok) ok = BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial);
  if (ok) ok = ASN1_TIME_set(X509_getm_notBefore(cert.get()), spec.notBefore) != nullptr;
  if (ok) ok = ASN1_TIME_set(X509_getm_notAfter(cert.get()), spec.notAfter) != nullptr;
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (ok) {
    ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(spec.commonName.c_str()), -1, -1, 0) == 1;
  }
  if (ok) ok = X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name) == 1;
  if (ok) ok = X509_set_pubkey(cert.get(), subjectKey) == 1;
  X509* issuerForExt = issuer != nullptr ? issuer : cert.get();
  if (ok) ok = addExtension(cert.get(), issuerForExt, NID_basic_constraints, spec.isCa ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (ok) {
    ok = addExtension(cert.get(), issuerForExt, NID_key_usage,
                      spec.isCa ? "critical,keyCertSign,cRLSign,digitalSignature" : "critical,digitalSignature");
  }
  if (ok && !spec.isCa) ok = addExtension(cert.get(), issuerForExt, NID_ext_key_usage, "serverAuth,clientAuth");
  if (ok) ok = addExtension(cert.get(), issuerForExt, NID_subject_key_identifier, "hash");
  if (ok && issuer != nullptr) ok = addExtension(cert.get(), issuerForExt, NID_authority_key_identifier, "keyid:always");
  if (ok && !spec.altNames.empty()) {
    std::string san;
    for (const auto& n : spec.altNames) {
      if (!san.empty()) san += ",";
      san += (isIpLiteral(n) ? "IP:" : "DNS:") + n;
    }
    ok = addExtension(cert.get(), issuerForExt, NID_subject_alt_name, san);
  }
  if (ok) ok = X509_sign(cert.get(), signer.get(), EVP_sha256()) > 0;
  if (!ok) return fail("crypto.cert_issue_failed", "cannot build certificate '" + spec.commonName + "'");
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) return fail("crypto.cert_issue_failed", "cannot encode certificate");
  auto parsed = Certificate::fromDer(ByteView(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  return parsed;
}

}  // namespace

Result<Certificate> issueSelfSigned(const EcPrivateKey& key, const CertSpec& spec) {
  return build(key, nullptr, key.get(), spec);
}

Result<Certificate> issueCertificate(const EcPrivateKey& issuerKey, const Certificate& issuerCert,
                                     const PublicKey& subject, const CertSpec& spec) {
  return build(issuerKey, issuerCert.get(), subject.get(), spec);
}

std::string certificatePem(const Certificate& cert) {
  return detail::pemText([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
}

}  // namespace clemmys::crypto
