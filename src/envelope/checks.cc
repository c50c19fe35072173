#include "envelope/checks.h"

#include <cstring>

#include "crypto/digest.h"

namespace clemmys::envelope {

InvokeGuard::InvokeGuard(const KeyRing& keys, const Clock& clock, FunctionIdentity self,
                         int64_t lifetimeMs, int64_t skewMs)
    : keys_(keys), clock_(clock), self_(std::move(self)), lifetimeMs_(lifetimeMs), skewMs_(skewMs) {}

void InvokeGuard::purgeLocked(uint64_t now) {
  while (!byExpiry_.empty() && byExpiry_.begin()->first + static_cast<uint64_t>(skewMs_) <= now) {
    seen_.erase(byExpiry_.begin()->second);
    byExpiry_.erase(byExpiry_.begin());
  }
}

size_t InvokeGuard::replayCacheSize() {
  std::lock_guard lock(mutex_);
  purgeLocked(static_cast<uint64_t>(clock_.nowMs()));
  return seen_.size();
}

Result<Accepted> InvokeGuard::accept(ByteView bytes) {
  // R1: strict parse, and only INVOKE is addressed to a function.
  auto parsed = parse(bytes);
  if (!parsed) return std::unexpected(parsed.error());
  const Header& h = parsed->header;
  if (h.type != Type::invoke)
    return fail("envelope.wrong_type", std::string("expected INVOKE, got ") + typeName(h.type));
  // R2: not expired (bounded skew). The header is authenticated at R4, so a forged
  // expiry cannot get past the AEAD check.
  uint64_t now = static_cast<uint64_t>(clock_.nowMs());
  if (h.expiresMs + static_cast<uint64_t>(skewMs_) <= now) return fail("envelope.expired");
  // R2b: no longer-lived than the session's lifetime allows, so no replay-cache
  // entry outlives lifetime + skew (also authenticated at R4: only a gateway or
  // runtime of the session could have set it).
  if (h.expiresMs > now + static_cast<uint64_t>(lifetimeMs_ + skewMs_))
    return fail("envelope.lifetime_exceeded", "expires " + std::to_string(h.expiresMs - now) + " ms ahead");
  // R3 + R4: known key version, AEAD opens with the header as AAD.
  auto body = open(*parsed, keys_);
  if (!body) return std::unexpected(body.error());
  auto message = decodeMessageBody(*body);
  if (!message) return std::unexpected(message.error());
  // R5: the chain spec is the one the id commits to.
  if (crypto::sha256(message->chainSpecBytes) != h.chainId)
    return fail("envelope.chain_id_mismatch");
  // R6: the step is inside the chain, and the chain length is consistent.
  if (h.step >= h.steps || h.steps != message->chain.steps.size())
    return fail("envelope.bad_step", "step " + std::to_string(h.step) + " of " +
                                         std::to_string(h.steps));
  // R7: addressed to this function, at this step.
  const Link& link = message->chain.steps[h.step];
  if (link.fqn != self_.fqn || link.codeDigest != self_.codeDigest || h.target != self_.fqn)
    return fail("envelope.wrong_function", "addressed to " + h.target);
  // R8: once per instance.
  {
    std::lock_guard lock(mutex_);
    purgeLocked(now);
    auto key = std::make_pair(h.id, h.step);
    if (!seen_.insert(key).second)
      return fail("envelope.replayed", "step " + std::to_string(h.step));
    byExpiry_.emplace(h.expiresMs, key);
  }
  return Accepted{h, std::move(*message)};
}

Result<Bytes> sealOutput(const Accepted& in, std::string_view payload, bool failed,
                         const KeyRing& keys, Random& random, LogCounts logs) {
  Header out = in.header;
  const auto& steps = in.body.chain.steps;
  if (failed) {
    out.type = Type::error;
    out.target = kGatewayTarget;
  } else if (in.header.step + 1u < steps.size()) {
    out.type = Type::invoke;
    out.step = static_cast<uint16_t>(in.header.step + 1);
    out.target = steps[out.step].fqn;
  } else {
    out.type = Type::result;
    out.step = out.steps;
    out.target = kGatewayTarget;
  }
  // The INVOKE's key version (kept from in.header): whoever sent it holds that
  // version, so the next hop and the gateway can open what this step emits. A newer
  // version this runtime happened to receive (a rotation it saw before the gateway
  // did) would be unreadable to them (issue 16): rotation takes effect when the
  // gateway seals with the new version, and the whole chain follows it.
  Bytes body = encodeMessageBody(in.body.chain, payload, logs);
  return seal(std::move(out), body, keys, random);
}

Result<Bytes> sealFirstInvoke(const Id& id, const ChainSpec& chain, uint64_t expiresMs,
                              std::string_view payload, uint32_t keyVersion,
                              const KeyRing& keys, Random& random) {
  if (chain.steps.empty() || chain.steps.size() > kMaxChainLength)
    return fail("envelope.bad_step", "chain length");
  Header h;
  h.type = Type::invoke;
  h.keyVersion = keyVersion;
  h.id = id;
  h.chainId = chainId(chain);
  h.step = 0;
  h.steps = static_cast<uint16_t>(chain.steps.size());
  h.expiresMs = expiresMs;
  h.target = chain.steps[0].fqn;
  return seal(std::move(h), encodeMessageBody(chain, payload), keys, random);
}

void GatewayLedger::purge(uint64_t nowMs) {
  auto end = byExpiry_.lower_bound(nowMs);  // expiresMs < nowMs
  for (auto it = byExpiry_.begin(); it != end; ++it) {
    // A re-issued id carries a later expiry: only its current entry decides.
    auto entry = issued_.find(it->second);
    if (entry != issued_.end() && entry->second.expiresMs < nowMs) issued_.erase(entry);
  }
  byExpiry_.erase(byExpiry_.begin(), end);
}

void GatewayLedger::issue(const Id& id, const Digest& chainId, uint64_t expiresMs) {
  std::lock_guard lock(mutex_);
  purge(static_cast<uint64_t>(clock_.nowMs()));
  issued_[id] = Entry{chainId, expiresMs, false};
  byExpiry_.emplace(expiresMs, id);
}

Result<Outcome> GatewayLedger::accept(ByteView bytes) {
  // G1: an outcome envelope.
  auto parsed = parse(bytes);
  if (!parsed) return std::unexpected(parsed.error());
  const Header& h = parsed->header;
  if (h.type != Type::result && h.type != Type::error)
    return fail("gateway.not_an_outcome", std::string("got ") + typeName(h.type));
  // G2: authentic.
  auto body = open(*parsed, keys_);
  if (!body) return std::unexpected(body.error());
  auto message = decodeMessageBody(*body);
  if (!message) return std::unexpected(message.error());
  if (crypto::sha256(message->chainSpecBytes) != h.chainId)
    return fail("envelope.chain_id_mismatch");
  std::lock_guard lock(mutex_);
  // G3: an activation this gateway issued.
  auto it = issued_.find(h.id);
  if (it == issued_.end()) return fail("gateway.unknown_activation");
  // G4: for the chain it issued.
  if (it->second.chainId != h.chainId) return fail("gateway.chain_mismatch");
  // G5: a RESULT only after the last step; an ERROR from inside the chain.
  bool failed = h.type == Type::error;
  if (failed ? h.step >= h.steps : h.step != h.steps)
    return fail("gateway.incomplete_chain",
                "step " + std::to_string(h.step) + " of " + std::to_string(h.steps));
  // G6: addressed to the gateway.
  if (h.target != kGatewayTarget) return fail("gateway.wrong_target", h.target);
  // G7: one outcome per activation.
  if (it->second.settled) return fail("gateway.duplicate_outcome");
  it->second.settled = true;
  return Outcome{failed, h, std::move(message->payload), message->logs};
}

}  // namespace clemmys::envelope
