#include "kms/nonces.h"

#include "kms/protocol.h"

namespace clemmys::kms {

NonceRegistry::NonceRegistry(const Clock& clock, Random& random, int64_t ttlMs, size_t maxPending)
    : clock_(clock), random_(random), ttlMs_(ttlMs), maxPending_(maxPending) {}

void NonceRegistry::pruneLocked(int64_t now) {
  // Amortised: a full sweep at most once per second.
  if (now - lastPrune_ < 1000) return;
  lastPrune_ = now;
  std::erase_if(pending_, [now](const auto& kv) { return kv.second < now; });
  std::erase_if(used_, [now](const auto& kv) { return kv.second < now; });
}

Result<std::string> NonceRegistry::issue() {
  std::string nonce = random_.bytes(kNonceSize);
  int64_t now = clock_.nowMs();
  std::lock_guard lock(mu_);
  pruneLocked(now);
  if (pending_.size() >= maxPending_) return fail("kms.too_many_challenges", "too many outstanding challenges");
  pending_[nonce] = now + ttlMs_;
  return nonce;
}

Status NonceRegistry::consume(const std::string& nonce) {
  int64_t now = clock_.nowMs();
  std::lock_guard lock(mu_);
  auto it = pending_.find(nonce);
  if (it == pending_.end()) {
    if (used_.contains(nonce)) return fail("kms.nonce_replayed", "this challenge nonce was already used");
    return fail("kms.nonce_unknown", "nonce was not issued by this KMS (or expired long ago)");
  }
  int64_t expiry = it->second;
  pending_.erase(it);
  used_[nonce] = expiry;
  if (expiry < now) return fail("kms.nonce_expired", "challenge nonce expired");
  pruneLocked(now);
  return {};
}

}  // namespace clemmys::kms
