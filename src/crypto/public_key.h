// PublicKey: an immutable, shareable OpenSSL public key (EC or RSA) and ECDSA
// signature verification over SHA-256/384. Verification is thread-safe (a
// PublicKey is never mutated after construction).
//
// Errors: crypto.bad_public_key, crypto.bad_signature_encoding,
// crypto.signature_invalid.
#pragma once

#include <memory>

#include "common/error.h"
#include "crypto/bytes.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace clemmys::crypto {

enum class HashAlg { kSha256, kSha384 };

class PublicKey {
 public:
  // SubjectPublicKeyInfo DER (what a certificate carries).
  static Result<PublicKey> fromSpkiDer(ByteView der);
  // Raw P-256 point x||y (64 bytes), as SGX quotes carry the attestation key.
  static Result<PublicKey> fromRawP256(ByteView xy);
  // Takes ownership of an EVP_PKEY (REQUIRES: non-null).
  static PublicKey adopt(EVP_PKEY* key);

  Bytes spkiDer() const;
  EVP_PKEY* get() const { return key_.get(); }

 private:
  explicit PublicKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// ECDSA over `message` hashed with `hash`; `derSignature` is an ASN.1 ECDSA-Sig-Value.
Status verifyEcdsaDer(const PublicKey& key, HashAlg hash, ByteView message, ByteView derSignature);
// Raw r||s, each scalar big-endian and half of rs.size() long (64 bytes for P-256).
Status verifyEcdsaRaw(const PublicKey& key, HashAlg hash, ByteView message, ByteView rs);

}  // namespace clemmys::crypto
