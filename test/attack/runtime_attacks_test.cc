// Direct calls to runtimes: the test launches runtimes through the simtee exactly
// as the invoker does (same measured argv, so they attest and get the session's
// keys) and POSTs captured envelopes to them, as a host could to any runtime port.
#include <thread>

#include "attack_fixture.h"
#include "common/encoding.h"

namespace clemmys::attack {
namespace {

class RuntimeAttackTest : public AttackTest {
 protected:
  // A runtime initialised with `name`'s sealed code as the controller stores it; /run
  // sends the stored sealed defaults beside the INVOKE, as the invoker does.
  struct Direct {
    std::unique_ptr<http::Client> client;
    json::object defaults;  // {"clemmys-params": PARAMS} or empty
    http::Client* operator->() const { return client.get(); }
  };
  static Result<Direct> runtimeFor(const std::string& name, const std::string& codeOf = "") {
    auto doc = provider().controllerCall("GET", "/api/v1/namespaces/guest/actions/" + (codeOf.empty() ? name : codeOf));
    if (!doc || doc->status != 200) return fail("attack.no_action", name);
    auto port = provider().launchRuntime();
    if (!port) return std::unexpected(port.error());
    auto client = std::make_unique<http::Client>("127.0.0.1", *port);
    auto exec = json::parse(doc->body).at("exec");
    json::object value{{"name", "/guest/" + name}, {"main", "main"}, {"binary", false}, {"code", exec.at("code")}};
    auto init = client->request("POST", "/init", json::serialize(json::object{{"value", value}}),
                                {{"Content-Type", "application/json"}}, std::chrono::seconds(60));
    if (!init) return std::unexpected(init.error());
    if (init->status != 200) return fail("attack.init", std::to_string(init->status) + " " + init->body);
    Direct d{std::move(client), {}};
    auto parsedDoc = json::parse(doc->body);
    auto* stored = parsedDoc.as_object().if_contains("parameters");
    if (stored != nullptr && stored->is_array())
      for (const auto& p : stored->as_array())
        if (p.at("key") == "clemmys-params") d.defaults["clemmys-params"] = p.at("value");
    return d;
  }

  static http::Response run(Direct& rt, const std::string& raw) {
    json::object value = rt.defaults;
    value["clemmys"] = json::parse(carrier(raw)).at("clemmys");
    json::object body{{"value", value},
                      {"activation_id", "0123456789abcdef0123456789abcdef"},
                      {"deadline", std::to_string(nowMs() + 30000)}};
    auto r = rt->request("POST", "/run", json::serialize(body), {{"Content-Type", "application/json"}},
                        std::chrono::seconds(30));
    return r ? *r : http::Response{599, {}, r.error().str()};
  }
};

void setU64(std::string& raw, size_t at, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) raw[at + static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
}

TEST_F(RuntimeAttackTest, DirectCallsWithCapturedEnvelopesAreRefused) {
  auto rt = runtimeFor("atk-b");
  ASSERT_TRUE(rt) << rt.error().str();
  std::string invokeB = freshInvoke("atk-b", R"({"trail":"direct"})");
  ASSERT_FALSE(invokeB.empty());

  // A genuine INVOKE runs once on this instance...
  auto once = run(*rt, invokeB);
  ASSERT_EQ(once.status, 200) << once.body;
  std::string result = envelopeOf(json::parse(once.body));
  ASSERT_GT(result.size(), kTargetAt);
  EXPECT_EQ(result[kTypeAt], 2) << "a RESULT for a one-step chain";
  // ...and never twice.
  EXPECT_TRUE(refusedWith(run(*rt, invokeB), "envelope.replayed"));

  // Addressed to another function.
  EXPECT_TRUE(refusedWith(run(*rt, freshInvoke("atk-a", "{}")), "envelope.wrong_function"));
  // A RESULT as input.
  EXPECT_TRUE(refusedWith(run(*rt, result), "envelope.wrong_type"));

  std::string fresh = freshInvoke("atk-b", "{}");
  // Expired: expires_ms is checked (R2) before the AEAD (R4).
  std::string expired = fresh;
  setU64(expired, kExpiresAt, 1000);
  EXPECT_TRUE(refusedWith(run(*rt, expired), "envelope.expired"));
  // A later expiry to outlive the replay cache: beyond the policy's lifetime (R2b,
  // before the AEAD); within it, the header is the AEAD's AAD.
  std::string extended = fresh;
  setU64(extended, kExpiresAt, static_cast<uint64_t>(nowMs()) + 86400000ull * 365);
  EXPECT_TRUE(refusedWith(run(*rt, extended), "envelope.lifetime_exceeded"));
  std::string nudged = fresh;
  nudged[kExpiresAt + 7] ^= 0x01;
  EXPECT_TRUE(refusedWith(run(*rt, nudged), "envelope.auth_failed"));
  // Unknown key version: one refetch from the KMS, then refused (R3 before R4).
  std::string unknownKey = fresh;
  unknownKey[kKeyVersionAt] = 0x7f;
  EXPECT_TRUE(refusedWith(run(*rt, unknownKey), "envelope.unknown_key_version"));
  // The untouched envelope still runs: the refusals did not consume it.
  auto ok = run(*rt, fresh);
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(RuntimeAttackTest, InitWithAnotherFunctionsCodeIsRefused) {
  auto rt = runtimeFor("atk-b", /*codeOf=*/"atk-a");
  ASSERT_FALSE(rt);
  EXPECT_NE(rt.error().message.find("envelope.wrong_target"), std::string::npos) << rt.error().str();
}

// Last: waits until the INVOKE captured at setup has really expired.
TEST_F(RuntimeAttackTest, ZzGenuinelyExpiredEnvelopeIsRefused) {
  ASSERT_FALSE(shortInvoke_.empty());
  uint64_t expires = 0;
  for (size_t i = 0; i < 8; ++i) expires = (expires << 8) | static_cast<uint8_t>(shortInvoke_[kExpiresAt + i]);
  ASSERT_LT(expires, static_cast<uint64_t>(shortIssuedMs_ + 70000)) << "expiry is not ~61 s after issue";
  auto rt = runtimeFor("atk-short");
  ASSERT_TRUE(rt) << rt.error().str();
  int64_t waitMs = static_cast<int64_t>(expires) + 5000 + 500 - nowMs();  // + the runtime's 5 s skew
  if (waitMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(waitMs));
  EXPECT_TRUE(refusedWith(run(*rt, shortInvoke_), "envelope.expired"));
}

// After the real-expiry wait: an INVOKE issued while the controller reported a
// ten-year limits.timeout expires with the policy's lifetime all the same.
TEST_F(RuntimeAttackTest, ZzLifetimeStretchedThroughTimeoutIsRefused) {
  ASSERT_FALSE(stretchInvoke_.empty());
  uint64_t expires = 0;
  for (size_t i = 0; i < 8; ++i) expires = (expires << 8) | static_cast<uint8_t>(stretchInvoke_[kExpiresAt + i]);
  EXPECT_LE(expires, static_cast<uint64_t>(stretchIssuedMs_ + kLifetimeS * 1000 + 2000))
      << "expiry follows the controller's limits.timeout";
  auto rt = runtimeFor("atk-stretch");
  ASSERT_TRUE(rt) << rt.error().str();
  // Wait as long as the old rule (timeout + 60 s) would have needed for a 1 s timeout.
  int64_t waitMs = stretchIssuedMs_ + 61000 + 5000 + 500 - nowMs();
  if (waitMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(waitMs));
  EXPECT_TRUE(refusedWith(run(*rt, stretchInvoke_), "envelope.expired"));
}

}  // namespace
}  // namespace clemmys::attack
