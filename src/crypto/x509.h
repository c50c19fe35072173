// X.509 certificates and CRLs (OpenSSL 3), and chain verification against a
// trust anchor pinned by public key. Names are never used to decide trust: a
// certificate named "Intel SGX Root CA" with a different key is untrusted.
// Objects are immutable after parsing and safe to share across threads.
//
// Times are seconds since the Unix epoch. Errors: crypto.bad_certificate,
// crypto.bad_crl, crypto.chain_empty, crypto.chain_signature_invalid,
// crypto.chain_untrusted_root, crypto.chain_not_ca, crypto.chain_not_yet_valid,
// crypto.chain_expired, crypto.crl_signature_invalid.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "crypto/bytes.h"
#include "crypto/public_key.h"

typedef struct x509_st X509;
typedef struct X509_crl_st X509_CRL;

namespace clemmys::crypto {

class Certificate {
 public:
  // Exactly one DER certificate, no trailing bytes.
  static Result<Certificate> fromDer(ByteView der);
  // One or more concatenated PEM certificates, in file order. Trailing NUL bytes
  // (SGX quotes pad the PEM chain with them) and whitespace are ignored; any other
  // non-certificate content is an error.
  static Result<std::vector<Certificate>> chainFromPem(std::string_view pem);

  Bytes der() const;
  PublicKey publicKey() const;
  std::string subject() const;  // one-line, for messages only
  // True when this certificate's signature verifies with `issuerKey` (any
  // algorithm OpenSSL knows, including RSASSA-PSS as AMD uses).
  bool signedBy(const PublicKey& issuerKey) const;
  bool validAt(int64_t epochSeconds) const;
  bool notYetValidAt(int64_t epochSeconds) const;
  // basicConstraints cA=TRUE and, when keyUsage is present, keyCertSign.
  bool isCa() const;
  // Content of the extension's OCTET STRING (the DER of its value), if present.
  std::optional<Bytes> extension(std::string_view dottedOid) const;
  X509* get() const { return cert_.get(); }

 private:
  explicit Certificate(std::shared_ptr<X509> c) : cert_(std::move(c)) {}
  std::shared_ptr<X509> cert_;
};

class Crl {
 public:
  static Result<Crl> fromDer(ByteView der);
  Status verifySignedBy(const PublicKey& issuerKey) const;
  // thisUpdate <= t <= nextUpdate.
  bool validAt(int64_t epochSeconds) const;
  // True when the CRL was issued by cert's issuer (by name: which CRL applies,
  // not whom to trust — the CRL's signature is checked separately) and lists
  // cert's serial number.
  bool revokes(const Certificate& cert) const;
  X509_CRL* get() const { return crl_.get(); }

 private:
  explicit Crl(std::shared_ptr<X509_CRL> c) : crl_(std::move(c)) {}
  std::shared_ptr<X509_CRL> crl_;
};

// Verifies chain[0] <- chain[1] <- ... <- chain[n-1]: each certificate signed by
// the next, every issuer a CA, the last one self-signed and carrying exactly the
// pinned SubjectPublicKeyInfo. When `at` is set, every certificate must be valid
// at that time.
Status verifyChain(const std::vector<Certificate>& chain, ByteView pinnedRootSpki,
                   std::optional<int64_t> at);

// Parses "2025-06-19T10:56:11Z" (RFC 3339, UTC "Z" or numeric offset, optional
// fractional seconds) into epoch seconds.
Result<int64_t> parseRfc3339(std::string_view text);

}  // namespace clemmys::crypto
