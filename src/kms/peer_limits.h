// PeerLimiter: a token bucket per peer (source IP address) for the KMS's routes,
// which anyone who reaches the KMS can call (doc/kms.md, "Security notes").
// `ratePerSecond` tokens a second, at most `burst` saved up; one request takes one.
// At most `maxPeers` buckets are kept: a full (idle) bucket is the same as none and
// is forgotten first; when every tracked peer is active a new peer is refused, so
// the table stays bounded whatever the number of addresses (fail closed).
// Thread safety: admit() may be called concurrently (one mutex).
//
// Error: kms.rate_limited.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/error.h"

namespace clemmys::kms {

// The defaults leave room for kms_bench's 8 threads on one address (~1 400
// attestations/s, two requests each) and stop a single-address flood well short of
// the KMS's capacity.
struct PeerLimits {
  double ratePerSecond = 5000;
  double burst = 10000;
  size_t maxPeers = 16384;
};

class PeerLimiter {
 public:
  PeerLimiter(const Clock& clock, PeerLimits limits = {});

  Status admit(std::string_view peer);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t atMs = 0;
  };
  double refilled(const Bucket& b, int64_t now) const;
  void forgetIdleLocked(int64_t now);

  const Clock& clock_;
  PeerLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// "203.0.113.7:4711" -> "203.0.113.7", "[::1]:4711" -> "::1"; anything else as is.
std::string peerOf(std::string_view remoteAddress);

}  // namespace clemmys::kms
