#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>

#include "common/encoding.h"
#include "crypto/sealed_box.h"
#include "kms/core_fixture.h"
#include "kms/protocol.h"
#include "kms/release.h"
#include "policy/policy_test_util.h"
#include "policy/update.h"

namespace clemmys::kms {
namespace {

namespace json = boost::json;

using testing::FakeVerifier;

std::string b64(const crypto::Bytes& b) { return base64UrlEncode(std::string(b.begin(), b.end())); }
std::string b64(const std::string& s) { return base64UrlEncode(s); }

class KmsCore : public testing::CoreFixture {
 protected:
  void SetUp() override {
    CoreFixture::SetUp();
    auto fake = std::make_unique<FakeVerifier>();
    verifier = fake.get();
    verifiers["sim"] = std::move(fake);
  }

  Result<Applied> apply(const std::string& yaml, const crypto::EcPrivateKey& key) {
    auto p = policy::parsePolicy(yaml);
    if (!p) return std::unexpected(p.error());
    return sessions->apply(yaml, *policy::signPolicy(*p, key));
  }

  // A request whose fake evidence binds the nonce and key unless told otherwise.
  json::object request(const crypto::EcPrivateKey& eph, const std::string& measurement, bool bind = true) {
    std::string nonce = *nonces.issue();
    auto point = eph.publicPoint();
    auto rd = attestReportData(crypto::asBytes(nonce), bind ? crypto::ByteView(point) : crypto::ByteView(point).subspan(1));
    verifier->claims = attest::Claims{};
    verifier->claims.type = attest::EvidenceType::kSim;
    verifier->claims.insecure = true;
    auto m = *fromHex(measurement);
    verifier->claims.measurement.assign(m.begin(), m.end());
    verifier->claims.reportData.assign(rd.begin(), rd.end());
    lastNonce = nonce;
    return json::object{{"session", "demo"},      {"service", "runtime"},   {"function", "guest/hello"},
                        {"nonce", b64(nonce)},    {"evidence", b64(std::string("quote"))},
                        {"evidence_type", "sim"}, {"ephemeral_public_key", b64(point)}};
  }

  json::object open(const json::object& response, const crypto::EcPrivateKey& eph) {
    crypto::SealedBox box;
    auto dec = [](const json::value& v) {
      auto s = *base64UrlDecode(v.as_string());
      return crypto::Bytes(s.begin(), s.end());
    };
    box.ephemeralPoint = dec(response.at("kms_ephemeral_public_key"));
    box.nonce = dec(response.at("iv"));
    box.ciphertext = dec(response.at("ciphertext"));
    auto pt = crypto::openSealedBox(eph, box, crypto::asBytes(lastNonce), crypto::asBytes(kReleaseContext));
    EXPECT_TRUE(pt);
    return json::parse(std::string(pt->begin(), pt->end())).as_object();
  }

  FakeVerifier* verifier = nullptr;
  std::string lastNonce;
  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
  std::string good = std::string(64, 'a');
};

TEST_F(KmsCore, ApplyShowHistoryWithoutSecretValues) {
  auto a = apply(policy::testing::samplePolicy(owner), owner);
  ASSERT_TRUE(a) << a.error().str();
  auto shown = sessions->describe("demo");
  ASSERT_TRUE(shown);
  std::string text = json::serialize(*shown);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(shown->at("hash").as_string(), a->hash);
  auto b = apply(policy::testing::samplePolicy(owner, 2, a->hash), owner);
  ASSERT_TRUE(b) << b.error().str();
  auto h = sessions->history("demo");
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ(h->at(1).at("predecessor").as_string(), a->hash);
  EXPECT_EQ(apply(policy::testing::samplePolicy(owner, 3, a->hash), owner).error().name, "policy.stale_predecessor");
  EXPECT_EQ(apply(policy::testing::samplePolicy(owner, 9), owner).error().name, "policy.session_exists");
  EXPECT_EQ(sessions->apply(policy::testing::samplePolicy(owner, 3, b->hash), {}).error().name,
            "policy.signature_missing");
  EXPECT_EQ(sessions->describe("nope").error().name, "kms.unknown_session");
}

TEST_F(KmsCore, StateSurvivesRestartThroughTheSealedStore) {
  auto a = apply(policy::testing::samplePolicy(owner), owner);
  ASSERT_TRUE(a);
  SealedStore reopened((dir / "kms.store").string(), platform, random);
  auto plain = reopened.load();
  ASSERT_TRUE(plain && *plain);
  auto state = decodeState(**plain);
  ASSERT_TRUE(state) << state.error().str();
  SessionManager again(std::move(*state), reopened, random, clock);
  EXPECT_EQ(again.describe("demo")->at("hash").as_string(), a->hash);
  EXPECT_EQ(again.apply(policy::testing::samplePolicy(owner), *policy::signPolicy(
                *policy::parsePolicy(policy::testing::samplePolicy(owner)), owner)).error().name,
            "policy.session_exists");
}

TEST_F(KmsCore, ReleaseReturnsResolvedConfigurationSealedToTheKey) {
  ASSERT_TRUE(apply(policy::testing::samplePolicy(owner), owner));
  auto eph = *crypto::EcPrivateKey::generateP256();
  auto out = releaser->release(request(eph, good));
  ASSERT_TRUE(out) << out.error().str();
  auto config = open(*out, eph);
  EXPECT_EQ(config.at("argv").as_array().at(0).as_string(), "--token=hunter2");
  EXPECT_EQ(config.at("env").at("DB").as_string().size(), 16u);  // 8 random bytes, hex
  EXPECT_NE(config.at("files").at("/etc/conf").as_string().find("BEGIN PRIVATE KEY"), json::string::npos);
  EXPECT_EQ(config.at("keys").as_array().size(), 1u);
  EXPECT_TRUE(config.at("insecure").as_bool());
  EXPECT_EQ(config.at("message_lifetime_ms").as_int64(), 300000);  // the policy's default
  // Rotation adds a key version; the next release carries both.
  auto msg = rotateMessage("demo", sessions->describe("demo")->at("hash").as_string(), 2);
  EXPECT_EQ(sessions->rotate("demo", *owner.sign(crypto::asBytes("wrong"))).error().name, "policy.signature_invalid");
  ASSERT_EQ(*sessions->rotate("demo", *owner.sign(crypto::asBytes(msg))), 2u);
  auto eph2 = *crypto::EcPrivateKey::generateP256();
  auto config2 = open(*releaser->release(request(eph2, good)), eph2);
  EXPECT_EQ(config2.at("keys").as_array().size(), 2u);
  EXPECT_EQ(config2.at("current_key_version").as_int64(), 2);
  EXPECT_EQ(config2.at("env").at("DB"), config.at("env").at("DB"));  // secrets persist
}

TEST_F(KmsCore, ReleaseRefusalsAreNamed) {
  ASSERT_TRUE(apply(policy::testing::samplePolicy(owner), owner));
  auto eph = *crypto::EcPrivateKey::generateP256();
  auto errorOf = [&](const json::object& r) {
    auto out = releaser->release(r);
    return out ? std::string("released") : out.error().name;
  };
  EXPECT_EQ(errorOf(request(eph, std::string(64, 'b'))), "kms.measurement_refused");
  EXPECT_EQ(errorOf(request(eph, good, false)), "kms.report_data_mismatch");
  auto replay = request(eph, good);
  EXPECT_EQ(errorOf(replay), "released");
  EXPECT_EQ(errorOf(replay), "kms.nonce_replayed");
  auto debug = request(eph, good);
  verifier->claims.debug = true;
  EXPECT_EQ(errorOf(debug), "kms.debug_refused");
  auto sgx = request(eph, good);
  sgx["evidence_type"] = "sgx";
  EXPECT_EQ(errorOf(sgx), "kms.evidence_not_tolerated");
  auto badFn = request(eph, good);
  badFn["function"] = "guest/other";
  EXPECT_EQ(errorOf(badFn), "kms.unknown_function");
  auto badEvidence = request(eph, good);
  badEvidence["evidence"] = b64(std::string("bad"));
  EXPECT_EQ(errorOf(badEvidence), "attest.quote_malformed");
  auto noSession = request(eph, good);
  noSession["session"] = "other";
  EXPECT_EQ(errorOf(noSession), "kms.unknown_session");
  EXPECT_EQ(*verifyAuditLog((dir / "audit.log").string()), 9u);
}

}  // namespace
}  // namespace clemmys::kms

namespace clemmys::kms {
namespace {

TEST_F(KmsCore, ImportedSecretsNeedAnExport) {
  std::string pem = policy::testing::indent(crypto::publicKeyPem(owner.publicKey()), "    ");
  auto session = [&](const std::string& name, const std::string& secrets, const std::string& env) {
    return "name: " + name + "\nversion: 1\nowners:\n  - |\n" + pem + "services:\n  runtime: {measurements: [" + good +
           "], evidence: [sim]}\nfunctions:\n  f: {env: {" + env + "}}\nsecrets:\n" + secrets;
  };
  ASSERT_TRUE(apply(session("src", "  - {name: shared, kind: aes-256, export: [dst]}\n  - {name: private, kind: aes-256}\n",
                            "A: \"$$secret:shared$$\""), owner));
  ASSERT_TRUE(apply(session("dst", "  - {name: shared, kind: imported, from_session: src}\n",
                            "B: \"$$secret:shared$$\""), owner));
  ASSERT_TRUE(apply(session("thief", "  - {name: private, kind: imported, from_session: src}\n",
                            "C: \"$$secret:private$$\""), owner));
  std::string fn = "f";
  auto a = sessions->material("src", "runtime", &fn);
  auto b = sessions->material("dst", "runtime", &fn);
  ASSERT_TRUE(a && b) << (a ? b.error().str() : a.error().str());
  EXPECT_EQ(a->env.at("A"), b->env.at("B"));
  EXPECT_EQ(sessions->material("thief", "runtime", &fn).error().name, "kms.import_refused");
}

}  // namespace
}  // namespace clemmys::kms
