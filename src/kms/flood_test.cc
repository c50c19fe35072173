// Hostile peers against the KMS's unauthenticated routes (issue 16), through the
// real route handler (KmsApi) with peers told apart by source address: a bounded
// challenge + attest flood from one peer while another peer's attestations keep
// succeeding, the nonce table and the audit log staying bounded. Counts printed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/encoding.h"
#include "kms/api.h"
#include "kms/core_fixture.h"
#include "kms/protocol.h"
#include "policy/policy_test_util.h"
#include "policy/update.h"

namespace clemmys::kms {
namespace {

namespace json = boost::json;

constexpr const char* kFlooder = "10.0.0.66:40000";
constexpr const char* kClient = "10.0.0.2:50000";

class Flood : public testing::CoreFixture {
 protected:
  void SetUp() override {
    CoreFixture::SetUp();
    auto fake = std::make_unique<testing::FakeVerifier>();
    verifier = fake.get();
    verifiers["sim"] = std::move(fake);
    auto yaml = policy::testing::samplePolicy(owner);
    ASSERT_TRUE(sessions->apply(yaml, *policy::signPolicy(*policy::parsePolicy(yaml), owner)));
    api = std::make_unique<KmsApi>(*sessions, nonces, *releaser, limiter, KmsIdentity{"sim", "e", "pem"});
  }

  http::Response call(const char* peer, const std::string& path, std::string body = "{}") {
    http::Request r;
    r.method = "POST";
    r.target = r.path = path;
    r.body = std::move(body);
    r.remoteAddress = peer;
    return api->handle(r);
  }

  // challenge -> evidence binding nonce and key (the fake verifier's claims) -> attest.
  int attest(const char* peer) {
    auto challenge = call(peer, "/v1/attest/challenge");
    if (challenge.status != 200) return challenge.status;
    std::string nonce = *base64UrlDecode(json::parse(challenge.body).at("nonce").as_string());
    auto eph = *crypto::EcPrivateKey::generateP256();
    auto point = eph.publicPoint();
    auto rd = attestReportData(crypto::asBytes(nonce), point);
    verifier->claims = attest::Claims{};
    verifier->claims.type = attest::EvidenceType::kSim;
    verifier->claims.insecure = true;
    auto m = *fromHex(std::string(64, 'a'));
    verifier->claims.measurement.assign(m.begin(), m.end());
    verifier->claims.reportData.assign(rd.begin(), rd.end());
    json::object body{{"session", "demo"},
                      {"service", "runtime"},
                      {"nonce", base64UrlEncode(nonce)},
                      {"evidence", base64UrlEncode(std::string("quote"))},
                      {"evidence_type", "sim"},
                      {"ephemeral_public_key", base64UrlEncode(std::string(point.begin(), point.end()))}};
    return call(peer, "/v1/attest", json::serialize(body)).status;
  }

  std::string bogusAttest() {
    json::object body{{"session", "demo"},
                      {"service", "runtime"},
                      {"nonce", base64UrlEncode(random.bytes(32))},
                      {"evidence", base64UrlEncode(std::string("quote"))},
                      {"evidence_type", "sim"},
                      {"ephemeral_public_key", base64UrlEncode(std::string(65, 'k'))}};
    return json::serialize(body);
  }

  testing::FakeVerifier* verifier = nullptr;
  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
  PeerLimiter limiter{clock};
  std::unique_ptr<KmsApi> api;
};

TEST_F(Flood, OnePeersChallengeAndAttestFloodLeavesOthersAttesting) {
  // 30 000 rounds of (challenge, attest with a made-up nonce) from one peer, offered
  // at 20 000 requests/s of fake time (3 s), with one honest attestation from
  // another peer every 100 rounds.
  constexpr int kRounds = 30'000;
  int challengesIssued = 0, challengesLimited = 0, attestsRefused = 0, attestsLimited = 0;
  int honestOk = 0, honestFailed = 0;
  size_t maxPending = 0, maxFlooderPending = 0;
  for (int i = 0; i < kRounds; ++i) {
    auto c = call(kFlooder, "/v1/attest/challenge");
    (c.status == 200 ? challengesIssued : challengesLimited) += 1;
    EXPECT_TRUE(c.status == 200 || c.status == 429) << c.status;
    auto a = call(kFlooder, "/v1/attest", bogusAttest());
    (a.status == 429 ? attestsLimited : attestsRefused) += 1;
    if (i % 100 == 0) (attest(kClient) == 200 ? honestOk : honestFailed) += 1;
    maxPending = std::max(maxPending, nonces.pending());
    maxFlooderPending = std::max(maxFlooderPending, nonces.pendingOf("10.0.0.66"));
    if (i % 10 == 9) clock.advance(1);
  }
  audit.reset();  // flushes the last window's counts
  auto auditBytes = std::filesystem::file_size(dir / "audit.log");
  auto auditLines = verifyAuditLog((dir / "audit.log").string());
  ASSERT_TRUE(auditLines) << auditLines.error().str();
  std::printf("flood from one peer: %d rounds; challenges issued %d, rate-limited %d; bogus attests refused %d, "
              "rate-limited %d\n",
              kRounds, challengesIssued, challengesLimited, attestsRefused, attestsLimited);
  std::printf("other peer: %d attestations succeeded, %d failed; nonce table max %zu (flooder's share max %zu); "
              "audit log %llu lines, %llu bytes (unbounded: ~%d bytes)\n",
              honestOk, honestFailed, maxPending, maxFlooderPending, static_cast<unsigned long long>(*auditLines),
              static_cast<unsigned long long>(auditBytes), attestsRefused * 365);
  EXPECT_EQ(honestFailed, 0);
  EXPECT_EQ(honestOk, kRounds / 100);
  EXPECT_LE(maxFlooderPending, 1024u);
  EXPECT_GT(challengesLimited, 0);
  EXPECT_GT(attestsRefused, 0);
  // 4 windows of 60 s at most: 10 sampled refusals + one summary per error name each,
  // plus the honest releases.
  EXPECT_LE(*auditLines, static_cast<uint64_t>(honestOk + 4 * (10 + 3)));
  EXPECT_LT(auditBytes, 200'000u);
}

TEST(AuditLog, RefusalsAreSampledAndCountedReleasesAlwaysWritten) {
  FakeClock clock;
  SystemRandom random;
  auto path = (std::filesystem::temp_directory_path() / ("audit-" + random.hex(6) + ".log")).string();
  {
    auto log = AuditLog::open(path, clock);
    ASSERT_TRUE(log);
    for (int i = 0; i < 10'000; ++i) {
      ASSERT_TRUE((*log)->append(AuditEntry{"s", "runtime", "", "", "sim", true, "kms.nonce_unknown"}));
      if (i % 1000 == 0) {
        ASSERT_TRUE((*log)->append(AuditEntry{"s", "runtime", "f", "aa", "sim", true, {}}));
      }
    }
    clock.advance(60'000);  // the next line closes the window
    ASSERT_TRUE((*log)->append(AuditEntry{"s", "runtime", "", "", "sim", true, "kms.measurement_refused"}));
  }
  auto lines = verifyAuditLog(path);
  ASSERT_TRUE(lines) << lines.error().str();
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  std::printf("10000 refusals and 10 releases in one window: %llu lines, %zu bytes\n",
              static_cast<unsigned long long>(*lines), all.size());
  EXPECT_EQ(*lines, 10u + 10u + 1u + 1u);  // 10 sampled, 10 releases, 1 summary, 1 in the next window
  EXPECT_NE(all.find(R"("result":"refused_summary","error":"kms.nonce_unknown","suppressed":9990)"),
            std::string::npos);
  std::filesystem::remove(path);
}

TEST(PeerLimiter, BucketRefillsAndPeersAreSeparate) {
  FakeClock clock;
  PeerLimiter limiter(clock, PeerLimits{10, 20, 2});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(limiter.admit("a")) << i;
  EXPECT_EQ(limiter.admit("a").error().name, "kms.rate_limited");
  EXPECT_TRUE(limiter.admit("b"));
  EXPECT_EQ(limiter.admit("c").error().name, "kms.rate_limited");  // table full of active peers
  clock.advance(100);  // one token for a
  EXPECT_TRUE(limiter.admit("a"));
  EXPECT_EQ(limiter.admit("a").error().name, "kms.rate_limited");
  clock.advance(10'000);  // everyone idle again: forgotten, room for c
  EXPECT_TRUE(limiter.admit("c"));
  EXPECT_EQ(peerOf("203.0.113.7:4711"), "203.0.113.7");
  EXPECT_EQ(peerOf("[::1]:4711"), "::1");
}

TEST(Nonces, APeersShareIsBoundedByEvictingItsOldest) {
  FakeClock clock;
  SystemRandom random;
  NonceRegistry nonces(clock, random, 60'000, 100, 3);
  auto first = *nonces.issue("a");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(nonces.issue("a"));
  EXPECT_EQ(nonces.pendingOf("a"), 3u);
  EXPECT_EQ(nonces.consume(first).error().name, "kms.nonce_unknown");  // evicted
  auto other = *nonces.issue("b");
  EXPECT_TRUE(nonces.consume(other));
  EXPECT_EQ(nonces.pendingOf("b"), 0u);
  EXPECT_EQ(nonces.pending(), 3u);
}

}  // namespace
}  // namespace clemmys::kms
