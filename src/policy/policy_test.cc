#include <gtest/gtest.h>

#include <random>

#include "policy/policy.h"
#include "policy/policy_test_util.h"
#include "policy/references.h"

namespace clemmys::policy {
namespace {

using testing::samplePolicy;

class PolicyParse : public ::testing::Test {
 protected:
  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
  std::string errorOf(const std::string& yaml) {
    auto p = parsePolicy(yaml);
    return p ? "ok" : p.error().name;
  }
};

TEST_F(PolicyParse, ValidPolicy) {
  auto p = parsePolicy(samplePolicy(owner));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(p->name, "demo");
  EXPECT_EQ(p->version, 1u);
  EXPECT_FALSE(p->predecessor);
  ASSERT_EQ(p->owners.size(), 1u);
  EXPECT_EQ(p->owners[0], owner.publicKey().spkiDer());
  EXPECT_EQ(p->services.at("runtime").evidence, std::vector<std::string>{"sim"});
  EXPECT_EQ(p->services.at("runtime").tcbStatus, std::vector<std::string>{"UpToDate"});
  EXPECT_EQ(p->functions.at("guest/hello").env.at("PLAIN"), "x");
  EXPECT_EQ(p->secrets.size(), 3u);
  EXPECT_EQ(p->findSecret("db")->size, 8u);
}

TEST_F(PolicyParse, NegativeCases) {
  std::string good = samplePolicy(owner);
  EXPECT_EQ(errorOf(good + "extra_key: 1\n"), "policy.unknown_key");
  EXPECT_EQ(errorOf("name: [unclosed\n"), "policy.yaml_syntax");
  EXPECT_EQ(errorOf(good + "name: again\n"), "policy.duplicate_key");
  EXPECT_EQ(errorOf("name: demo\nversion: 1\nservices: {}\n"), "policy.missing_field");
  EXPECT_EQ(errorOf(samplePolicy(owner, 1, "", "  - {name: db, kind: aes-256}\n")), "policy.duplicate_secret");
  EXPECT_EQ(errorOf(samplePolicy(owner, 1, "", "  - {name: q, kind: magic}\n")), "policy.bad_secret");
  EXPECT_EQ(errorOf(samplePolicy(owner, 1, "", "  - {name: q, kind: imported}\n")), "policy.missing_field");
  EXPECT_EQ(errorOf(samplePolicy(owner, 1, "", "  - {name: q, kind: random, value: x}\n")), "policy.bad_secret");
  std::string badRef = good;
  badRef.replace(badRef.find("$$secret:db$$"), 13, "$$secret:nope$$");
  EXPECT_EQ(errorOf(badRef), "policy.unknown_secret");
  std::string badMeasurement = good;
  badMeasurement.replace(badMeasurement.find(std::string(64, 'a')), 64, "zz");
  EXPECT_EQ(errorOf(badMeasurement), "policy.bad_measurement");
  std::string badEvidence = good;
  badEvidence.replace(badEvidence.find("[sim]"), 5, "[qemu]");
  EXPECT_EQ(errorOf(badEvidence), "policy.bad_value");
  std::string badVersion = good;
  badVersion.replace(badVersion.find("version: 1"), 10, "version: -1");
  EXPECT_EQ(errorOf(badVersion), "policy.bad_value");
  std::string badOwner = good;
  badOwner.replace(badOwner.find("-----BEGIN PUBLIC KEY-----"), 26, "-----BEGIN NOTHING-----");
  EXPECT_EQ(errorOf(badOwner), "policy.bad_owner_key");
  std::string badService = good;
  badService.replace(badService.find("    evidence: [sim]"), 19, "    evidence: [sim]\n    flavour: x");
  EXPECT_EQ(errorOf(badService), "policy.unknown_key");
}

TEST_F(PolicyParse, CanonicalHashDependsOnContent) {
  auto a = *parsePolicy(samplePolicy(owner));
  auto c = *parsePolicy(samplePolicy(owner, 2));
  EXPECT_NE(policyHash(a), policyHash(c));
  EXPECT_EQ(policyHash(a), policyHash(*parsePolicy(samplePolicy(owner))));
  EXPECT_EQ(policyHash(a).size(), 64u);
  EXPECT_TRUE(canonicalBytes(a).starts_with("clemmys-policy-v1\n{\"functions\""));
}

// The session's message lifetime: optional, bounded, and hashed only when set, so
// versions written before the field existed keep their hash.
TEST_F(PolicyParse, MessageLifetime) {
  auto plain = *parsePolicy(samplePolicy(owner));
  EXPECT_FALSE(plain.messageLifetimeS);
  EXPECT_EQ(plain.messageLifetimeSeconds(), kDefaultMessageLifetimeS);
  EXPECT_EQ(canonicalBytes(plain).find("message_lifetime_s"), std::string::npos);
  auto set = parsePolicy("message_lifetime_s: 45\n" + samplePolicy(owner));
  ASSERT_TRUE(set) << set.error().str();
  EXPECT_EQ(set->messageLifetimeSeconds(), 45u);
  EXPECT_NE(canonicalBytes(*set).find("\"functions\":{"), std::string::npos);
  EXPECT_NE(canonicalBytes(*set).find("},\"message_lifetime_s\":45,\"name\":"), std::string::npos);
  EXPECT_NE(policyHash(*set), policyHash(plain));
  EXPECT_EQ(errorOf("message_lifetime_s: 0\n" + samplePolicy(owner)), "policy.bad_value");
  EXPECT_EQ(errorOf("message_lifetime_s: 3601\n" + samplePolicy(owner)), "policy.bad_value");
  EXPECT_EQ(errorOf("message_lifetime_s: soon\n" + samplePolicy(owner)), "policy.bad_value");
}

TEST_F(PolicyParse, KeyOrderDoesNotChangeHash) {
  std::string y1 = samplePolicy(owner);
  // Move "name: demo" to the end of the document.
  std::string y2 = y1.substr(y1.find('\n') + 1) + "name: demo\n";
  auto a = parsePolicy(y1), b = parsePolicy(y2);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(policyHash(*a), policyHash(*b));
}

TEST(References, ResolveAndReject) {
  SecretLookup lookup = [](const SecretRef& r) -> Result<std::string> {
    return std::string(r.privateKey ? "KEY(" : "V(") + r.name + ")";
  };
  EXPECT_EQ(*resolveReferences("a=$$secret:x$$;b=$$secret:y.key$$", lookup), "a=V(x);b=KEY(y)");
  EXPECT_EQ(*resolveReferences("no refs $$ here", lookup), "no refs $$ here");
  EXPECT_EQ(resolveReferences("$$secret:x", lookup).error().name, "policy.bad_reference");
  EXPECT_EQ(resolveReferences("$$secret:bad name$$", lookup).error().name, "policy.bad_reference");
}

}  // namespace
}  // namespace clemmys::policy

namespace clemmys::policy {
namespace {

// Robustness: random byte edits of a valid policy either parse or fail with a
// named policy.* error — never crash, never an unnamed failure.
TEST(PolicyParseRobustness, RandomMutationsFailWithNamedErrors) {
  auto owner = *crypto::EcPrivateKey::generateP256();
  std::string base = testing::samplePolicy(owner);
  std::mt19937 rng(1234);
  const std::string alphabet = "{}[]:,-|>&*!%@`'\"#\n \t$0aZ.";
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string y = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % y.size();
      switch (rng() % 3) {
        case 0: y[pos] = alphabet[rng() % alphabet.size()]; break;
        case 1: y.erase(pos, 1 + rng() % 8); break;
        default: y.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (y.empty()) y = "x";
    }
    auto p = parsePolicy(y);
    if (p) {
      ++parsed;
      EXPECT_EQ(policyHash(*p).size(), 64u);
    } else {
      EXPECT_TRUE(p.error().name.starts_with("policy.")) << p.error().name;
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace clemmys::policy
