// SHA-2 digests (OpenSSL EVP): one-shot functions (stateless, thread-safe) and an
// incremental SHA-256 whose state can be copied, so a long common prefix is hashed
// once and finished with different suffixes. A Sha256 object is not thread-safe;
// copies are independent.
#pragma once

#include <array>
#include <memory>

#include "crypto/bytes.h"

namespace clemmys::crypto {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha384Digest = std::array<uint8_t, 48>;

Sha256Digest sha256(ByteView data);
Sha384Digest sha384(ByteView data);

class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256& other);
  ~Sha256();
  Sha256& update(ByteView data);
  // The digest of everything updated so far; the object stays usable (the state
  // is finished on a copy).
  Sha256Digest digest() const;

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace clemmys::crypto
