// NonceRegistry: attestation challenges. A nonce is 32 random bytes, valid
// for `ttlMs`, and consumed by its first use. Used nonces are remembered until
// they would have expired so a replay is reported as such.
// Thread safety: all methods are safe to call concurrently (one mutex).
//
// Errors: kms.nonce_unknown, kms.nonce_replayed, kms.nonce_expired,
// kms.too_many_challenges (more than `maxPending` outstanding).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/error.h"
#include "common/random.h"

namespace clemmys::kms {

class NonceRegistry {
 public:
  NonceRegistry(const Clock& clock, Random& random, int64_t ttlMs = 60'000, size_t maxPending = 100'000);

  Result<std::string> issue();               // raw 32 bytes
  Status consume(const std::string& nonce);  // raw 32 bytes

 private:
  void pruneLocked(int64_t now);

  const Clock& clock_;
  Random& random_;
  int64_t ttlMs_;
  size_t maxPending_;
  std::mutex mu_;
  std::unordered_map<std::string, int64_t> pending_;  // nonce -> expiry
  std::unordered_map<std::string, int64_t> used_;     // nonce -> expiry
  int64_t lastPrune_ = 0;
};

}  // namespace clemmys::kms
