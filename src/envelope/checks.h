// The acceptance rules of doc/formats/envelope.md section 4: InvokeGuard for a
// runtime instance (R1–R8) and GatewayLedger for the gateway (G1–G7), plus the
// builders of the envelopes each side emits. Every refusal is a named error.
// Thread safety: InvokeGuard and GatewayLedger lock internally.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "common/clock.h"
#include "envelope/chain.h"
#include "envelope/sealer.h"

namespace clemmys::envelope {

struct FunctionIdentity {
  std::string fqn;
  Digest codeDigest{};
};

struct Accepted {
  Header header;
  MessageBody body;
};

// The longest message lifetime a policy may set (doc/formats/policy.md), in ms.
inline constexpr int64_t kMaxLifetimeMs = 3600 * 1000;

class InvokeGuard {
 public:
  // `lifetimeMs`: the session's message lifetime (R2b), from the released configuration.
  // REQUIRES: 0 < lifetimeMs <= kMaxLifetimeMs.
  InvokeGuard(const KeyRing& keys, const Clock& clock, FunctionIdentity self, int64_t lifetimeMs,
              int64_t skewMs = 5000);
  // R1–R8. On success (id, step) enters the replay cache until expires_ms, which R2b
  // keeps within lifetime + skew of the acceptance.
  Result<Accepted> accept(ByteView envelope);
  // Entries in the replay cache (the bound's test reads it).
  size_t replayCacheSize();

 private:
  void purgeLocked(uint64_t nowMs);
  const KeyRing& keys_;
  const Clock& clock_;
  FunctionIdentity self_;
  int64_t lifetimeMs_;
  int64_t skewMs_;
  std::mutex mutex_;
  // Replay cache: (id, step) pairs, and the same pairs ordered by expiry so purging
  // costs only the expired entries.
  std::set<std::pair<Id, uint16_t>> seen_;
  std::multimap<uint64_t, std::pair<Id, uint16_t>> byExpiry_;
};

// What a runtime emits after step s: the next INVOKE, the final RESULT, or an ERROR
// (when `failed`). `payload` is JSON text; `logs` the lines the step sealed. Sealed
// with the INVOKE's key version, never a newer one the runtime holds.
Result<Bytes> sealOutput(const Accepted& in, std::string_view payload, bool failed,
                         const KeyRing& keys, Random& random, LogCounts logs = {});

// What the gateway emits for step 0 of a chain.
Result<Bytes> sealFirstInvoke(const Id& id, const ChainSpec& chain, uint64_t expiresMs,
                              std::string_view payload, uint32_t keyVersion,
                              const KeyRing& keys, Random& random);

struct Outcome {
  bool failed = false;   // ERROR envelope: the function failed at header.step
  Header header;
  std::string payload;   // JSON text
  LogCounts logs;        // lines the last step sealed (L1–L4)
};

class GatewayLedger {
 public:
  GatewayLedger(const KeyRing& keys, const Clock& clock) : keys_(keys), clock_(clock) {}
  // Records an issued activation (kept until expiresMs, then forgotten).
  void issue(const Id& id, const Digest& chainId, uint64_t expiresMs);
  // G1–G7; on success the id is settled and any later outcome for it is refused.
  Result<Outcome> accept(ByteView envelope);

 private:
  struct Entry {
    Digest chainId;
    uint64_t expiresMs;
    bool settled = false;
  };
  void purge(uint64_t nowMs);
  const KeyRing& keys_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<Id, Entry> issued_;
  // The same ids ordered by expiry, so purging (on every issue) costs only the
  // expired entries instead of a walk over every activation still in flight.
  std::multimap<uint64_t, Id> byExpiry_;
};

}  // namespace clemmys::envelope
