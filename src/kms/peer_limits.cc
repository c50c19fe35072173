#include "kms/peer_limits.h"

#include <algorithm>

namespace clemmys::kms {

PeerLimiter::PeerLimiter(const Clock& clock, PeerLimits limits) : clock_(clock), limits_(limits) {}

double PeerLimiter::refilled(const Bucket& b, int64_t now) const {
  double gained = static_cast<double>(std::max<int64_t>(0, now - b.atMs)) * limits_.ratePerSecond / 1000.0;
  return std::min(limits_.burst, b.tokens + gained);
}

void PeerLimiter::forgetIdleLocked(int64_t now) {
  std::erase_if(buckets_, [&](const auto& kv) { return refilled(kv.second, now) >= limits_.burst; });
}

Status PeerLimiter::admit(std::string_view peer) {
  int64_t now = clock_.nowMs();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(peer));
  if (it == buckets_.end()) {
    if (buckets_.size() >= limits_.maxPeers) forgetIdleLocked(now);
    if (buckets_.size() >= limits_.maxPeers) {
      return fail("kms.rate_limited", "too many active peers; try again later");
    }
    it = buckets_.emplace(std::string(peer), Bucket{limits_.burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b, now);
  b.atMs = std::max(b.atMs, now);
  if (b.tokens < 1) return fail("kms.rate_limited", "too many requests from this address; slow down");
  b.tokens -= 1;
  return {};
}

std::string peerOf(std::string_view remote) {
  if (remote.starts_with('[')) {
    auto close = remote.find(']');
    if (close != std::string_view::npos) return std::string(remote.substr(1, close - 1));
  }
  auto colon = remote.rfind(':');
  if (colon != std::string_view::npos && remote.find(':') == colon) return std::string(remote.substr(0, colon));
  return std::string(remote);
}

}  // namespace clemmys::kms
