// NonceRegistry: attestation challenges. A nonce is 32 random bytes, valid
// for `ttlMs`, and consumed by its first use. Used nonces are remembered until
// they would have expired so a replay is reported as such.
//
// Bounds (doc/kms.md, "Security notes"): at most `maxPending` outstanding in all,
// and at most `maxPendingPerPeer` per peer (source address): a peer's next
// challenge past its share evicts that peer's oldest outstanding nonce, so one
// peer cannot fill the table and lock the others out.
// Thread safety: all methods are safe to call concurrently (one mutex).
//
// Errors: kms.nonce_unknown, kms.nonce_replayed, kms.nonce_expired,
// kms.too_many_challenges (more than `maxPending` outstanding).
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/error.h"
#include "common/random.h"

namespace clemmys::kms {

class NonceRegistry {
 public:
  NonceRegistry(const Clock& clock, Random& random, int64_t ttlMs = 60'000, size_t maxPending = 100'000,
                size_t maxPendingPerPeer = 1024);

  Result<std::string> issue(std::string_view peer = {});  // raw 32 bytes
  Status consume(const std::string& nonce);               // raw 32 bytes

  size_t pending() const;
  size_t pendingOf(std::string_view peer) const;

 private:
  struct Pending {
    int64_t expiry = 0;
    std::string peer;
  };
  struct Peer {
    size_t count = 0;               // outstanding nonces of this peer
    std::deque<std::string> order;  // issue order; may hold consumed ones (skipped)
  };
  void pruneLocked(int64_t now);
  void dropLocked(std::unordered_map<std::string, Pending>::iterator it);
  void evictOldestLocked(Peer& peer);

  const Clock& clock_;
  Random& random_;
  int64_t ttlMs_;
  size_t maxPending_, maxPerPeer_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Pending> pending_;  // nonce -> expiry, peer
  std::unordered_map<std::string, int64_t> used_;     // nonce -> expiry
  std::unordered_map<std::string, Peer> peers_;       // peers with outstanding nonces
  int64_t lastPrune_ = 0;
};

}  // namespace clemmys::kms
