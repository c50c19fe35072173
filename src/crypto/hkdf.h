// HKDF-SHA256 (RFC 5869) over OpenSSL's HMAC. Stateless, thread-safe.
// Error: crypto.kdf_failed.
#pragma once

#include "common/error.h"
#include "crypto/bytes.h"
#include "crypto/secret_bytes.h"

namespace clemmys::crypto {

// REQUIRES: 0 < length <= 255 * 32.
Result<SecretBytes> hkdfSha256(ByteView ikm, ByteView salt, ByteView info, size_t length);

}  // namespace clemmys::crypto
