// Service entries: tolerated TCB statuses and the TDX block (doc/formats/policy.md).
#include <gtest/gtest.h>

#include "policy/policy.h"
#include "policy/policy_test_util.h"

namespace clemmys::policy {
namespace {

const std::string kHex48a(96, 'a');
const std::string kHex48b(96, 'B');

class ServicePolicyParse : public ::testing::Test {
 protected:
  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();

  // The sample policy plus a "worker" service with `body` (indented 4).
  std::string withWorker(const std::string& body) {
    std::string y = testing::samplePolicy(owner);
    std::string service = "  worker:\n    measurements: [" + kHex48a + "]\n" + body;
    return y.insert(y.find("functions:\n"), service);
  }
  std::string errorOf(const std::string& yaml) {
    auto p = parsePolicy(yaml);
    return p ? "ok" : p.error().name;
  }
};

TEST_F(ServicePolicyParse, TcbStatusesAreNamedOnes) {
  auto p = parsePolicy(withWorker("    evidence: [sgx]\n    tcb_status: [UpToDate, ConfigurationAndSWHardeningNeeded]\n"));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(p->services.at("worker").tcbStatus,
            (std::vector<std::string>{"UpToDate", "ConfigurationAndSWHardeningNeeded"}));
  EXPECT_EQ(errorOf(withWorker("    evidence: [sgx]\n    tcb_status: [UpToDat]\n")), "policy.bad_value");
  EXPECT_EQ(errorOf(withWorker("    evidence: [sgx]\n    tcb_status: [Revoked]\n")), "policy.bad_value");
  EXPECT_EQ(errorOf(withWorker("    evidence: [sgx]\n    tcb_status: [Unknown, TcbNotSupported]\n")), "ok");
}

TEST_F(ServicePolicyParse, TdxBlockPinsRtmrsAndOwnerFields) {
  auto p = parsePolicy(withWorker("    evidence: [tdx]\n    tdx: {rtmr0: " + kHex48a + ", rtmr3: " + kHex48b +
                                  ", mrconfigid: " + kHex48a + ", mrowner: " + kHex48b + "}\n"));
  ASSERT_TRUE(p) << p.error().str();
  const auto& t = p->services.at("worker").tdx;
  ASSERT_TRUE(t);
  EXPECT_EQ(t->rtmr[0], kHex48a);
  EXPECT_FALSE(t->rtmr[1]);
  EXPECT_FALSE(t->rtmr[2]);
  EXPECT_EQ(t->rtmr[3], std::string(96, 'b'));  // stored lowercase
  EXPECT_EQ(t->mrConfigId, kHex48a);
  EXPECT_EQ(t->mrOwner, std::string(96, 'b'));
  EXPECT_FALSE(p->services.at("runtime").tdx);
}

TEST_F(ServicePolicyParse, TdxBlockNegativeCases) {
  EXPECT_EQ(errorOf(withWorker("    evidence: [sgx]\n    tdx: {rtmr0: " + kHex48a + "}\n")), "policy.bad_value");
  EXPECT_EQ(errorOf(withWorker("    evidence: [tdx]\n    tdx: {}\n")), "policy.bad_value");
  EXPECT_EQ(errorOf(withWorker("    evidence: [tdx]\n    tdx: {rtmr4: " + kHex48a + "}\n")), "policy.unknown_key");
  EXPECT_EQ(errorOf(withWorker("    evidence: [tdx]\n    tdx: {rtmr1: " + std::string(64, 'a') + "}\n")),
            "policy.bad_measurement");
  EXPECT_EQ(errorOf(withWorker("    evidence: [tdx]\n    tdx: {mrowner: zz}\n")), "policy.bad_measurement");
  EXPECT_EQ(errorOf(withWorker("    evidence: [tdx]\n    tdx: [" + kHex48a + "]\n")), "policy.bad_type");
}

TEST_F(ServicePolicyParse, TdxBlockIsHashedOnlyWhenPresent) {
  auto plain = parsePolicy(withWorker("    evidence: [tdx]\n"));
  auto pinned = parsePolicy(withWorker("    evidence: [tdx]\n    tdx: {rtmr2: " + kHex48a + "}\n"));
  auto other = parsePolicy(withWorker("    evidence: [tdx]\n    tdx: {rtmr2: " + kHex48b + "}\n"));
  ASSERT_TRUE(plain && pinned && other);
  EXPECT_EQ(canonicalBytes(*plain).find("\"tdx\":{"), std::string::npos);
  EXPECT_NE(canonicalBytes(*pinned).find("\"tcb_status\":[\"UpToDate\"],\"tdx\":{\"mrconfigid\":null,\"mrowner\":null,"
                                         "\"rtmr0\":null,\"rtmr1\":null,\"rtmr2\":\"" + kHex48a + "\",\"rtmr3\":null}"),
            std::string::npos);
  EXPECT_NE(policyHash(*pinned), policyHash(*plain));
  EXPECT_NE(policyHash(*pinned), policyHash(*other));
}

}  // namespace
}  // namespace clemmys::policy
