#include "kms/nonces.h"

#include "kms/protocol.h"

namespace clemmys::kms {

NonceRegistry::NonceRegistry(const Clock& clock, Random& random, int64_t ttlMs, size_t maxPending,
                             size_t maxPendingPerPeer)
    : clock_(clock), random_(random), ttlMs_(ttlMs), maxPending_(maxPending), maxPerPeer_(maxPendingPerPeer) {}

void NonceRegistry::dropLocked(std::unordered_map<std::string, Pending>::iterator it) {
  auto p = peers_.find(it->second.peer);
  if (p != peers_.end() && --p->second.count == 0) peers_.erase(p);
  pending_.erase(it);
}

void NonceRegistry::pruneLocked(int64_t now) {
  // Amortised: a full sweep at most once per second.
  if (now - lastPrune_ < 1000) return;
  lastPrune_ = now;
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto next = std::next(it);
    if (it->second.expiry < now) dropLocked(it);
    it = next;
  }
  std::erase_if(used_, [now](const auto& kv) { return kv.second < now; });
  // The issue-order queues keep consumed nonces until they reach the front: trim.
  for (auto& [name, peer] : peers_) {
    if (peer.order.size() > 2 * peer.count + 16) {
      std::erase_if(peer.order, [this](const std::string& n) { return !pending_.contains(n); });
    }
  }
}

void NonceRegistry::evictOldestLocked(Peer& peer) {
  while (!peer.order.empty()) {
    std::string oldest = std::move(peer.order.front());
    peer.order.pop_front();
    auto it = pending_.find(oldest);
    if (it != pending_.end()) {
      --peer.count;  // the peer entry stays: the caller adds a nonce to it
      pending_.erase(it);
      return;
    }
  }
}

Result<std::string> NonceRegistry::issue(std::string_view peerName) {
  std::string nonce = random_.bytes(kNonceSize);
  int64_t now = clock_.nowMs();
  std::lock_guard lock(mu_);
  pruneLocked(now);
  Peer& peer = peers_[std::string(peerName)];
  if (peer.count >= maxPerPeer_) evictOldestLocked(peer);
  if (pending_.size() >= maxPending_) {
    if (peer.count == 0) peers_.erase(std::string(peerName));
    return fail("kms.too_many_challenges", "too many outstanding challenges");
  }
  pending_[nonce] = Pending{now + ttlMs_, std::string(peerName)};
  ++peer.count;
  peer.order.push_back(nonce);
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
  int64_t expiry = it->second.expiry;
  dropLocked(it);
  used_[nonce] = expiry;
  if (expiry < now) return fail("kms.nonce_expired", "challenge nonce expired");
  pruneLocked(now);
  return {};
}

size_t NonceRegistry::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

size_t NonceRegistry::pendingOf(std::string_view peer) const {
  std::lock_guard lock(mu_);
  auto it = peers_.find(std::string(peer));
  return it == peers_.end() ? 0 : it->second.count;
}

}  // namespace clemmys::kms
