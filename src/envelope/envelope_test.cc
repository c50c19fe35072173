#include <gtest/gtest.h>

#include <algorithm>

#include "common/random.h"
#include "envelope/checks.h"

namespace clemmys::envelope {
namespace {

class Env : public ::testing::Test {
 protected:
  void SetUp() override {
    keys.add(1, crypto::SecretBytes(crypto::asBytes(std::string(32, 'k'))));
    chain.seq = "/guest/pipeline";
    for (const char* f : {"/guest/a", "/guest/b", "/guest/c"})
      chain.steps.push_back({f, codeDigest("python:3", "main", std::string("code of ") + f)});
    id.fill(7);
  }
  InvokeGuard guardFor(size_t step) {
    return InvokeGuard(keys, clock, {chain.steps[step].fqn, chain.steps[step].codeDigest}, kLifetimeMs);
  }
  static constexpr int64_t kLifetimeMs = 60000;
  Bytes first(std::string_view payload = R"({"x":1})", int64_t lifetimeMs = kLifetimeMs) {
    auto e = sealFirstInvoke(id, chain, clock.nowMs() + lifetimeMs, payload, 1, keys, random);
    EXPECT_TRUE(e) << e.error().str();
    return *e;
  }
  // Runs the whole chain honestly; returns every envelope produced, first included.
  std::vector<Bytes> runChain() {
    std::vector<Bytes> out{first()};
    for (size_t s = 0; s < chain.steps.size(); ++s) {
      auto guard = guardFor(s);
      auto in = guard.accept(out.back());
      EXPECT_TRUE(in) << in.error().str();
      auto next = sealOutput(*in, in->body.payload, false, keys, random);
      EXPECT_TRUE(next);
      out.push_back(*next);
    }
    return out;
  }
  KeyRing keys;
  FakeClock clock;
  SystemRandom random;
  ChainSpec chain;
  Id id{};
};

std::string errorOf(const Result<Accepted>& r) { return r ? "accepted" : r.error().name; }
std::string errorOf(const Result<Outcome>& r) { return r ? "accepted" : r.error().name; }

TEST_F(Env, HonestChainIsAcceptedByGateway) {
  GatewayLedger ledger(keys, clock);
  ledger.issue(id, chainId(chain), clock.nowMs() + 60000);
  auto all = runChain();
  auto outcome = ledger.accept(all.back());
  ASSERT_TRUE(outcome) << outcome.error().str();
  EXPECT_FALSE(outcome->failed);
  EXPECT_EQ(outcome->payload, R"({"x":1})");
  EXPECT_EQ(errorOf(ledger.accept(all.back())), "gateway.duplicate_outcome");
}

TEST_F(Env, LedgerForgetsActivationsOnlyAfterTheyExpire) {
  GatewayLedger ledger(keys, clock);
  ledger.issue(id, chainId(chain), clock.nowMs() + 60000);
  auto all = runChain();
  ASSERT_TRUE(ledger.accept(all.back()));
  // Other activations come and go; the settled one is still remembered until it expires.
  Id other = id;
  other[0] ^= 1;
  clock.advance(30000);
  ledger.issue(other, chainId(chain), clock.nowMs() + 1000);
  EXPECT_EQ(errorOf(ledger.accept(all.back())), "gateway.duplicate_outcome");
  clock.advance(30001);
  Id third = id;
  third[1] ^= 1;
  ledger.issue(third, chainId(chain), clock.nowMs() + 60000);  // purges both expired ids
  EXPECT_EQ(errorOf(ledger.accept(all.back())), "gateway.unknown_activation");
}

TEST_F(Env, LogCountsTravelToTheGateway) {
  GatewayLedger ledger(keys, clock);
  ledger.issue(id, chainId(chain), clock.nowMs() + 60000);
  auto all = runChain();
  auto guard = guardFor(2);
  auto in = guard.accept(all[2]);
  ASSERT_TRUE(in) << in.error().str();
  EXPECT_EQ(in->body.logs, (LogCounts{0, 0}));  // step 1's honest run sealed none
  auto out = sealOutput(*in, "{}", false, keys, random, LogCounts{3, 1});
  ASSERT_TRUE(out);
  auto outcome = ledger.accept(*out);
  ASSERT_TRUE(outcome) << outcome.error().str();
  EXPECT_EQ(outcome->logs, (LogCounts{3, 1}));
}

// R2b: the policy's lifetime bounds every accepted expiry, whatever the issuer set.
TEST_F(Env, ExpiryBeyondTheLifetimeIsRefused) {
  auto guard = guardFor(0);
  EXPECT_EQ(errorOf(guard.accept(first(R"({"x":1})", kLifetimeMs + 5000 + 1))), "envelope.lifetime_exceeded");
  EXPECT_EQ(errorOf(guard.accept(first(R"({"x":1})", int64_t{10} * 365 * 86400000))), "envelope.lifetime_exceeded");
  EXPECT_EQ(errorOf(guard.accept(first(R"({"x":1})", kLifetimeMs + 5000))), "accepted");  // within the skew
}

// The replay cache holds what was accepted within one lifetime (+ skew), never more.
TEST_F(Env, ReplayCacheIsBoundedByTheLifetime) {
  auto guard = guardFor(0);
  constexpr int kPerSecond = 5;
  size_t most = 0;
  for (int second = 0; second < 3 * kLifetimeMs / 1000; ++second) {
    for (int i = 0; i < kPerSecond; ++i) {
      id[0] = static_cast<uint8_t>(second);
      id[1] = static_cast<uint8_t>(second >> 8);
      id[2] = static_cast<uint8_t>(i);
      ASSERT_EQ(errorOf(guard.accept(first())), "accepted");
    }
    most = std::max(most, guard.replayCacheSize());
    clock.advance(1000);
  }
  // Entries live until expires_ms + skew: at most (lifetime + skew) seconds' worth.
  size_t bound = static_cast<size_t>((kLifetimeMs + 5000) / 1000 + 1) * kPerSecond;
  EXPECT_LE(most, bound);
  EXPECT_GE(most, static_cast<size_t>(kLifetimeMs / 1000) * kPerSecond);  // the window is really used
  clock.advance(kLifetimeMs + 5000);
  EXPECT_EQ(guard.replayCacheSize(), 0u);
}

TEST_F(Env, RoundTripHeaderFields) {
  auto e = first();
  auto p = parse(e);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header.type, Type::invoke);
  EXPECT_EQ(p->header.target, "/guest/a");
  EXPECT_EQ(p->header.steps, 3);
  EXPECT_EQ(p->header.id, id);
  EXPECT_EQ(p->headerBytes, serializeHeader(p->header));
}

TEST_F(Env, EveryFlippedByteIsRefused) {
  auto e = first();
  for (size_t i = 0; i < e.size(); ++i) {
    Bytes bad = e;
    bad[i] ^= 0x01;
    auto guard = guardFor(0);
    EXPECT_FALSE(guard.accept(bad)) << "byte " << i;
  }
}

TEST_F(Env, TruncatedAndOversizedAreRefused) {
  auto e = first();
  for (size_t n : {size_t(0), size_t(10), kFixedHeaderSize, e.size() - 1}) {
    auto guard = guardFor(0);
    EXPECT_FALSE(guard.accept(ByteView(e).first(n))) << n;
  }
  Bytes huge(kMaxEnvelopeSize + 1, 0);
  EXPECT_EQ(parse(huge).error().name, "envelope.too_large");
  Bytes trailing = e;
  trailing.push_back(0);
  auto guard = guardFor(0);
  EXPECT_EQ(errorOf(guard.accept(trailing)), "envelope.auth_failed");
}

TEST_F(Env, HeaderFieldErrorsAreNamed) {
  auto e = first();
  Bytes bad = e;
  bad[0] = 'X';
  EXPECT_EQ(parse(bad).error().name, "envelope.bad_magic");
  bad = e;
  bad[4] = 2;
  EXPECT_EQ(parse(bad).error().name, "envelope.unsupported_version");
  bad = e;
  bad[5] = 9;
  EXPECT_EQ(parse(bad).error().name, "envelope.unknown_type");
}

TEST_F(Env, ReorderAndSkipAreRefused) {
  auto all = runChain();
  // Step 1's input delivered to step 2's function (skip) and step 2's to step 1 (reorder).
  auto c = guardFor(2);
  EXPECT_EQ(errorOf(c.accept(all[1])), "envelope.wrong_function");
  auto b = guardFor(1);
  EXPECT_EQ(errorOf(b.accept(all[2])), "envelope.wrong_function");
  // The first message straight to the last function.
  EXPECT_EQ(errorOf(c.accept(all[0])), "envelope.wrong_function");
}

TEST_F(Env, ReplayToTheSameInstanceIsRefused) {
  auto e = first();
  auto guard = guardFor(0);
  ASSERT_TRUE(guard.accept(e));
  EXPECT_EQ(errorOf(guard.accept(e)), "envelope.replayed");
}

TEST_F(Env, TruncationAndExtensionAreRefused) {
  GatewayLedger ledger(keys, clock);
  ledger.issue(id, chainId(chain), clock.nowMs() + 60000);
  auto all = runChain();
  // A middle step's output passed off as the final result.
  EXPECT_EQ(errorOf(ledger.accept(all[2])), "gateway.not_an_outcome");
  // The final RESULT fed to a function as if the chain went on.
  auto a = guardFor(0);
  EXPECT_EQ(errorOf(a.accept(all[3])), "envelope.wrong_type");
}

TEST_F(Env, SplicedAndSubstitutedOutcomesAreRefused) {
  GatewayLedger ledger(keys, clock);
  ledger.issue(id, chainId(chain), clock.nowMs() + 60000);
  Id other = id;
  other[0] ^= 1;
  // Another request's result for a different activation id.
  auto e = sealFirstInvoke(other, chain, clock.nowMs() + 60000, "{}", 1, keys, random);
  std::vector<Bytes> run{*e};
  for (size_t s = 0; s < 3; ++s) {
    auto g = guardFor(s);
    auto in = g.accept(run.back());
    ASSERT_TRUE(in);
    run.push_back(*sealOutput(*in, "{}", false, keys, random));
  }
  EXPECT_EQ(errorOf(ledger.accept(run.back())), "gateway.unknown_activation");
  // Same id, but a different chain (another action's result substituted).
  ChainSpec shorter = chain;
  shorter.steps.resize(1);
  ledger.issue(other, chainId(shorter), clock.nowMs() + 60000);
  EXPECT_EQ(errorOf(ledger.accept(run.back())), "gateway.chain_mismatch");
}

TEST_F(Env, ErrorsStopTheChainAndReachTheGateway) {
  GatewayLedger ledger(keys, clock);
  ledger.issue(id, chainId(chain), clock.nowMs() + 60000);
  auto guard = guardFor(0);
  auto in = guard.accept(first());
  ASSERT_TRUE(in);
  auto err = sealOutput(*in, R"({"error":"boom"})", true, keys, random);
  auto outcome = ledger.accept(*err);
  ASSERT_TRUE(outcome) << outcome.error().str();
  EXPECT_TRUE(outcome->failed);
  EXPECT_EQ(outcome->header.step, 0);
}

TEST_F(Env, ExpiredAndUnknownKeyVersionAreRefused) {
  auto e = first();
  clock.advance(60000 + 5000);
  auto guard = guardFor(0);
  EXPECT_EQ(errorOf(guard.accept(e)), "envelope.expired");
  KeyRing other;
  other.add(2, crypto::SecretBytes(crypto::asBytes(std::string(32, 'z'))));
  InvokeGuard g2(other, clock, {chain.steps[0].fqn, chain.steps[0].codeDigest}, kLifetimeMs);
  auto fresh = sealFirstInvoke(id, chain, clock.nowMs() + 1000, "{}", 1, keys, random);
  EXPECT_EQ(errorOf(g2.accept(*fresh)), "envelope.unknown_key_version");
}

// Issue 16, durable key rotation: a rotation reaches the parts at different times
// (a runtime cold-started after it holds v2, the gateway still seals with v1 and
// holds nothing newer). Every hop, and the outcome, must stay readable by whoever
// sent the INVOKE: the output is sealed with the INVOKE's key version.
TEST_F(Env, RotationSeenByOneRuntimeOnlyStillReachesTheGateway) {
  KeyRing rotated;  // the runtime's ring after a refetch: v1 and v2
  rotated.add(1, crypto::SecretBytes(crypto::asBytes(std::string(32, 'k'))));
  rotated.add(2, crypto::SecretBytes(crypto::asBytes(std::string(32, 'n'))));
  GatewayLedger ledger(keys, clock);  // the gateway holds v1 only
  ledger.issue(id, chainId(chain), clock.nowMs() + 60000);
  std::vector<Bytes> out{first()};
  for (size_t s = 0; s < chain.steps.size(); ++s) {
    // Steps 0 and 2 run on rotated runtimes, step 1 on one that never saw v2.
    const KeyRing& ring = s == 1 ? keys : rotated;
    InvokeGuard guard(ring, clock, {chain.steps[s].fqn, chain.steps[s].codeDigest}, kLifetimeMs);
    auto in = guard.accept(out.back());
    ASSERT_TRUE(in) << "step " << s << ": " << in.error().str();
    auto next = sealOutput(*in, in->body.payload, false, ring, random);
    ASSERT_TRUE(next) << next.error().str();
    EXPECT_EQ(parse(*next)->header.keyVersion, 1u) << "step " << s;
    out.push_back(*next);
  }
  auto outcome = ledger.accept(out.back());
  ASSERT_TRUE(outcome) << outcome.error().str();
  EXPECT_FALSE(outcome->failed);
}

TEST_F(Env, WrongKeyFailsAuthentication) {
  KeyRing other;
  other.add(1, crypto::SecretBytes(crypto::asBytes(std::string(32, 'z'))));
  InvokeGuard g(other, clock, {chain.steps[0].fqn, chain.steps[0].codeDigest}, kLifetimeMs);
  EXPECT_EQ(errorOf(g.accept(first())), "envelope.auth_failed");
}

TEST_F(Env, WireFormIsBase64Url) {
  auto e = first();
  std::string wire = toWire(e);
  EXPECT_EQ(wire.find_first_of("+/="), std::string::npos);
  auto back = fromWire(wire);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, e);
  EXPECT_EQ(fromWire("not base64!").error().name, "envelope.not_sealed");
}

TEST_F(Env, NoncesNeverRepeat) {
  auto a = parse(first()), b = parse(first());
  EXPECT_NE(a->header.nonce, b->header.nonce);
}

TEST(CodeDigestTest, HeapSettingsAreBoundOnlyWhenGiven) {
  Digest plain = codeDigest("cpp", "main", "AAAA");
  EXPECT_EQ(codeDigest("cpp", "main", "AAAA", ""), plain);
  Digest withHeap = codeDigest("cpp", "main", "AAAA", R"({"zero_on_free":true})");
  EXPECT_NE(withHeap, plain);
  EXPECT_NE(codeDigest("cpp", "main", "AAAA", R"({"zero_on_free":false})"), withHeap);
  EXPECT_NE(codeDigest("cpp", "main", "AAAB", R"({"zero_on_free":true})"), withHeap);
}

}  // namespace
}  // namespace clemmys::envelope
