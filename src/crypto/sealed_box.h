// Sealed box: public-key encryption to a P-256 key (ECIES-style), as the KMS
// uses to return a released configuration to an attested process:
//
//   e          := fresh P-256 key pair of the sender
//   z          := ECDH(e, R)                       (32-byte x coordinate)
//   K          := HKDF-SHA256(ikm = z, salt = salt,
//                             info = context || point(R) || point(e), L = 32)
//   ciphertext := AES-256-GCM(K, nonce (12 random bytes), plaintext, aad = context)
//
// point() is the 65-byte uncompressed SEC1 encoding. `context` separates
// protocols; `salt` binds the box to one exchange (the KMS uses the nonce).
// Stateless; thread-safe. Errors: those of ec_key.h, hkdf.h and aead.h.
#pragma once

#include "common/error.h"
#include "crypto/bytes.h"
#include "crypto/ec_key.h"
#include "common/random.h"

namespace clemmys::crypto {

struct SealedBox {
  Bytes ephemeralPoint;  // 65 bytes
  Bytes nonce;           // 12 bytes
  Bytes ciphertext;      // with the 16-byte tag
};

Result<SealedBox> sealToP256(const PublicKey& recipient, ByteView salt, ByteView context, ByteView plaintext,
                             Random& random);
Result<Bytes> openSealedBox(const EcPrivateKey& recipient, const SealedBox& box, ByteView salt, ByteView context);

}  // namespace clemmys::crypto
