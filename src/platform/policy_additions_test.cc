#include "platform/policy_additions.h"

#include <gtest/gtest.h>

namespace clemmys::platform {
namespace {

TEST(PolicyAdditions, FunctionsAndSecretsBecomeFlowLines) {
  auto a = parsePolicyAdditions(
      "functions:\n"
      "  /guest/report:\n"
      "    env: {TOKEN: \"$$secret:tok$$\", MODE: prod}\n"
      "    argv: [\"--v\"]\n"
      "secrets:\n"
      "  - {name: tok, kind: supplied, value: \"s: 3\"}\n"
      "  - {name: k, kind: aes-256}\n");
  ASSERT_TRUE(a) << a.error().str();
  EXPECT_EQ(a->functionsYaml,
            "  \"/guest/report\": {\"env\": {\"TOKEN\": \"$$secret:tok$$\", \"MODE\": \"prod\"}, "
            "\"argv\": [\"--v\"]}\n");
  EXPECT_EQ(a->secretsYaml,
            "  - {\"name\": \"tok\", \"kind\": \"supplied\", \"value\": \"s: 3\"}\n"
            "  - {\"name\": \"k\", \"kind\": \"aes-256\"}\n");
}

TEST(PolicyAdditions, QuotingKeepsEveryValueOnItsLine) {
  // A value cannot end its flow line and start a key of its own in the policy text.
  auto a = parsePolicyAdditions(
      "secrets:\n  - {name: t, kind: supplied, value: \"x\\nservices: {}\\n# \\\"}\"}\n");
  ASSERT_TRUE(a) << a.error().str();
  EXPECT_EQ(a->secretsYaml.find('\n'), a->secretsYaml.size() - 1) << a->secretsYaml;
}

TEST(PolicyAdditions, EmptyDocumentAddsNothing) {
  auto a = parsePolicyAdditions("");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->functionsYaml.empty());
  EXPECT_TRUE(a->secretsYaml.empty());
}

TEST(PolicyAdditions, RefusesWhatItCannotMerge) {
  for (const char* doc : {"services: {}\n", "functions: [a]\n", "secrets: {a: 1}\n", "[1, 2]\n",
                          "functions: {\"@gateway\": {env: {A: b}}}\n",
                          "secrets: [{name: client-auth, kind: random}]\n", "functions: {a: [1]}\n",
                          "functions: {a: {env: {A: \"unterminated}}\n", "? [a, b]\n: 1\n",
                          "functions: {[a]: {env: {}}}\n"}) {
    auto a = parsePolicyAdditions(doc);
    ASSERT_FALSE(a) << doc;
    EXPECT_EQ(a.error().name, "platform.bad_policy_additions") << doc;
  }
}

}  // namespace
}  // namespace clemmys::platform
