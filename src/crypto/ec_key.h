// EcPrivateKey: a P-256 private key (OpenSSL EVP_PKEY) for ECDSA signing and
// ECDH. Immutable after creation; sign() and ecdh() are thread-safe. The key
// never leaves the object except through toPem(), which returns the PEM in a
// self-zeroing buffer.
//
// Public points travel as uncompressed SEC1 (65 bytes, 0x04 || x || y).
// Errors: crypto.keygen_failed, crypto.bad_private_key, crypto.bad_public_key,
// crypto.sign_failed, crypto.ecdh_failed.
#pragma once

#include <memory>
#include <string_view>

#include "common/error.h"
#include "crypto/bytes.h"
#include "crypto/public_key.h"
#include "crypto/secret_bytes.h"

namespace clemmys::crypto {

inline constexpr size_t kP256PointSize = 65;

class EcPrivateKey {
 public:
  static Result<EcPrivateKey> generateP256();
  // PKCS#8 or SEC1 "EC PRIVATE KEY" PEM; the key must be on P-256.
  static Result<EcPrivateKey> fromPem(std::string_view pem);

  SecretBytes toPem() const;     // PKCS#8 PEM
  PublicKey publicKey() const;
  Bytes publicPoint() const;     // 65-byte uncompressed SEC1 point
  // ECDSA-SHA256, ASN.1 DER signature.
  Result<Bytes> sign(ByteView message) const;
  // Raw ECDH shared secret (the x coordinate, 32 bytes) with a peer P-256 key.
  Result<SecretBytes> ecdh(const PublicKey& peer) const;
  EVP_PKEY* get() const { return key_.get(); }

 private:
  explicit EcPrivateKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// A P-256 public key from an uncompressed SEC1 point (checked on the curve).
Result<PublicKey> p256FromPoint(ByteView point);
// Public key from SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"); must be P-256.
Result<PublicKey> p256FromPem(std::string_view pem);
// "-----BEGIN PUBLIC KEY-----" PEM of a public key.
std::string publicKeyPem(const PublicKey& key);
// True when the key is an EC key on P-256.
bool isP256(const PublicKey& key);

}  // namespace clemmys::crypto
