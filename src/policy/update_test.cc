#include <gtest/gtest.h>

#include "policy/policy_test_util.h"
#include "policy/update.h"

namespace clemmys::policy {
namespace {

using testing::samplePolicy;

class Updates : public ::testing::Test {
 protected:
  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
  crypto::EcPrivateKey stranger = *crypto::EcPrivateKey::generateP256();
  Policy v1 = *parsePolicy(samplePolicy(owner));
  std::string h1 = policyHash(v1);
  std::set<std::string> seen;
};

TEST_F(Updates, FirstVersionSignedByItsOwner) {
  auto sig = *signPolicy(v1, owner);
  EXPECT_TRUE(checkUpdate({}, v1, h1, sig, seen));
  EXPECT_EQ(checkUpdate({}, v1, h1, {}, seen).error().name, "policy.signature_missing");
  auto bad = *signPolicy(v1, stranger);
  EXPECT_EQ(checkUpdate({}, v1, h1, bad, seen).error().name, "policy.signature_invalid");
}

TEST_F(Updates, SuccessorRules) {
  CurrentVersion cur{&v1, h1};
  seen.insert(h1);
  auto v2 = *parsePolicy(samplePolicy(owner, 2, h1));
  auto h2 = policyHash(v2);
  EXPECT_TRUE(checkUpdate(cur, v2, h2, *signPolicy(v2, owner), seen));
  // Signed by a key that is an owner of v2 only: refused (current owners authorise).
  auto takeover = *parsePolicy(samplePolicy(stranger, 2, h1));
  EXPECT_EQ(checkUpdate(cur, takeover, policyHash(takeover), *signPolicy(takeover, stranger), seen).error().name,
            "policy.signature_invalid");
  auto stale = *parsePolicy(samplePolicy(owner, 2, std::string(64, '0')));
  EXPECT_EQ(checkUpdate(cur, stale, policyHash(stale), *signPolicy(stale, owner), seen).error().name,
            "policy.stale_predecessor");
  auto recreate = *parsePolicy(samplePolicy(owner, 5));
  EXPECT_EQ(checkUpdate(cur, recreate, policyHash(recreate), *signPolicy(recreate, owner), seen).error().name,
            "policy.session_exists");
  auto same = *parsePolicy(samplePolicy(owner, 1, h1));
  EXPECT_EQ(checkUpdate(cur, same, policyHash(same), *signPolicy(same, owner), seen).error().name,
            "policy.version_not_increasing");
  EXPECT_EQ(checkUpdate({}, v2, h2, *signPolicy(v2, owner), seen).error().name, "policy.unknown_session");
  seen.insert(h2);
  EXPECT_EQ(checkUpdate(cur, v2, h2, *signPolicy(v2, owner), seen).error().name, "policy.hash_reused");
}

}  // namespace
}  // namespace clemmys::policy
