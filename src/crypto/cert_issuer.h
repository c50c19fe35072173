// Issuing X.509 certificates with ECDSA P-256 keys (OpenSSL 3): the KMS's own
// self-signed TLS certificate, per-session CAs, and leaf certificates a
// session CA signs for attested services. Stateless; thread-safe.
//
// Errors: crypto.cert_issue_failed, crypto.bad_name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "crypto/ec_key.h"
#include "crypto/x509.h"

namespace clemmys::crypto {

struct CertSpec {
  std::string commonName;
  // subjectAltName entries: IPv4/IPv6 literals become iPAddress, others dNSName.
  std::vector<std::string> altNames;
  int64_t notBefore = 0;  // Unix seconds
  int64_t notAfter = 0;
  bool isCa = false;      // basicConstraints cA=TRUE + keyCertSign/cRLSign
  Bytes serial;           // big-endian, positive; 16 random bytes recommended
};

// Self-signed certificate for `key` (a CA root or a standalone TLS identity).
Result<Certificate> issueSelfSigned(const EcPrivateKey& key, const CertSpec& spec);
// Certificate for `subject`, signed by `issuerKey`; the issuer name is taken from `issuerCert`.
Result<Certificate> issueCertificate(const EcPrivateKey& issuerKey, const Certificate& issuerCert,
                                     const PublicKey& subject, const CertSpec& spec);
// "-----BEGIN CERTIFICATE-----" PEM of one certificate.
std::string certificatePem(const Certificate& cert);

}  // namespace clemmys::crypto
