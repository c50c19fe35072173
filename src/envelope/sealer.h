// Sealing and opening envelopes with the session's application keys.
// KeyRing holds app_key[v] for the versions a process has received from the KMS.
// Thread safety: KeyRing is safe for concurrent readers once filled; add() takes a
// lock. seal()/open() are stateless apart from the injected Random.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "common/random.h"
#include "crypto/secret_bytes.h"
#include "envelope/envelope.h"

namespace clemmys::envelope {

class KeyRing {
 public:
  // REQUIRES: key is 32 bytes.
  void add(uint32_t version, crypto::SecretBytes key);
  bool has(uint32_t version) const;
  std::optional<uint32_t> current() const;  // highest version held
  // Derives K for (version, id, purpose); envelope.unknown_key_version if absent.
  Result<crypto::SecretBytes> derive(uint32_t version, const Id& id, Type type) const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<uint32_t, crypto::SecretBytes> keys_;
};

// Fills header.nonce from `random`, encrypts body with the header as AAD.
// Errors: envelope.unknown_key_version, crypto.*.
Result<Bytes> seal(Header header, ByteView body, const KeyRing& keys, Random& random);

// R3 + R4: key version known, AEAD opens. Returns the body.
// Errors: envelope.unknown_key_version, envelope.auth_failed.
Result<Bytes> open(const Parsed& envelope, const KeyRing& keys);

// JSON carriage: {"clemmys": "<base64url>"} as text, and back.
std::string toWire(ByteView envelope);
// Error: envelope.not_sealed when the object is not exactly that shape.
Result<Bytes> fromWire(std::string_view base64url);

}  // namespace clemmys::envelope
