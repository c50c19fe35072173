// AES-256-GCM (OpenSSL EVP): 96-bit nonce, 128-bit tag appended to the
// ciphertext. Stateless and thread-safe.
//
// Errors: crypto.bad_key_size, crypto.bad_nonce_size, crypto.aead_failed
// (sealing failed inside OpenSSL), crypto.aead_open_failed (wrong key, nonce,
// associated data, or tampered ciphertext — indistinguishable by design).
#pragma once

#include "common/error.h"
#include "crypto/bytes.h"

namespace clemmys::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

// Returns ciphertext || tag (plaintext.size() + 16 bytes).
Result<Bytes> aesGcmSeal(ByteView key, ByteView nonce, ByteView plaintext, ByteView aad);
// Opens ciphertext || tag; the plaintext is returned only when the tag verifies.
Result<Bytes> aesGcmOpen(ByteView key, ByteView nonce, ByteView sealed, ByteView aad);

}  // namespace clemmys::crypto
