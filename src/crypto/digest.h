// One-shot SHA-2 digests (OpenSSL EVP). Stateless and thread-safe.
#pragma once

#include <array>

#include "crypto/bytes.h"

namespace clemmys::crypto {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha384Digest = std::array<uint8_t, 48>;

Sha256Digest sha256(ByteView data);
Sha384Digest sha384(ByteView data);

}  // namespace clemmys::crypto
