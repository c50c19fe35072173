#include "runtime/activation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdlib>

#include "runtime/json_depth.h"

namespace clemmys::runtime {
namespace {

// Issue 16: every argument the entry accepts (kMaxArgumentDepth levels) is accepted
// in the /run body that wraps it; one level more is refused at the entry. Before,
// Boost's default 32 everywhere let a 32-deep argument through the gateway and then
// refused the 33-deep /run body in the runtime.
std::string nested(size_t depth) { return std::string(depth - 1, '[') + "{}" + std::string(depth - 1, ']'); }

TEST(Activation, ArgumentDepthIsAgreedBetweenEntryAndRuntime) {
  boost::system::error_code ec;
  std::string deepest = R"({"a":)" + nested(kMaxArgumentDepth - 1) + "}";
  (void)boost::json::parse(deepest, ec, {}, argumentJsonOptions());
  EXPECT_FALSE(ec) << "the entry refuses " << kMaxArgumentDepth << " levels";
  std::string tooDeep = R"({"a":)" + nested(kMaxArgumentDepth) + "}";
  (void)boost::json::parse(tooDeep, ec, {}, argumentJsonOptions());
  EXPECT_TRUE(ec) << "the entry accepts " << kMaxArgumentDepth + 1 << " levels";
  auto run = RunRequest::parse(R"({"value":)" + deepest + R"(,"activation_id":"x"})");
  ASSERT_TRUE(run) << run.error().str();
  EXPECT_TRUE(run->value().is_object());
  EXPECT_GE(kMaxArgumentDepth, 64u);  // high enough for real documents
}

TEST(Activation, VariableNames) {
  EXPECT_EQ(owVariableName("activation_id"), "__OW_ACTIVATION_ID");
  EXPECT_EQ(owVariableName("namespace"), "__OW_NAMESPACE");
  EXPECT_EQ(owVariableName("Mixed_9"), "__OW_MIXED_9");
}

TEST(Activation, ParsesRunBodyAndExportsEveryKeyButValue) {
  auto r = RunRequest::parse(
      R"({"value":{"x":1},"namespace":"guest","deadline":"1700000000123","n":5,)"
      R"("flag":true,"nothing":null,"bad=key":"v"})");
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(boost::json::serialize(r->value()), R"({"x":1})");
  EnvVars expected = {{"__OW_NAMESPACE", "guest"},
                      {"__OW_DEADLINE", "1700000000123"},
                      {"__OW_N", "5"},
                      {"__OW_FLAG", "true"}};
  EXPECT_EQ(r->env(), expected);
  ASSERT_TRUE(r->find("__OW_NAMESPACE"));
  EXPECT_EQ(*r->find("__OW_NAMESPACE"), "guest");
  EXPECT_EQ(r->find("__OW_API_KEY"), nullptr);
  EXPECT_EQ(r->deadlineMs(), 1700000000123);
}

TEST(Activation, MissingValueIsAnEmptyObject) {
  auto r = RunRequest::parse(R"({"activation_id":"a"})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->value().is_object());
  EXPECT_TRUE(r->value().as_object().empty());
  EXPECT_FALSE(r->deadlineMs());
}

TEST(Activation, RejectsNonObjects) {
  EXPECT_EQ(RunRequest::parse("[1]").error().name, "runtime.bad_request");
  EXPECT_EQ(RunRequest::parse("{nope").error().name, "runtime.bad_request");
}

TEST(Activation, BadDeadlineIsIgnored) {
  auto r = RunRequest::parse(R"({"deadline":"soon"})");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->deadlineMs());
}

TEST(Activation, InitEnvTurnsValuesIntoText) {
  auto env = boost::json::parse(R"({"A":"x","B":2,"C":null,"D":{"k":[1]}})").as_object();
  EnvVars expected = {{"A", "x"}, {"B", "2"}, {"D", R"({"k":[1]})"}};
  EXPECT_EQ(initEnvVars(env), expected);
}

TEST(Activation, ProcessEnvRestoresVariablesAbsentFromTheNextActivation) {
  ::setenv("__OW_CLEMMYS_TEST_KEPT", "before", 1);
  ::unsetenv("__OW_CLEMMYS_TEST_KEY");
  ProcessEnv env;
  env.apply({{"__OW_CLEMMYS_TEST_KEPT", "one"}, {"__OW_CLEMMYS_TEST_KEY", "secret"}});
  EXPECT_STREQ(std::getenv("__OW_CLEMMYS_TEST_KEPT"), "one");
  EXPECT_STREQ(std::getenv("__OW_CLEMMYS_TEST_KEY"), "secret");
  env.apply({});
  EXPECT_STREQ(std::getenv("__OW_CLEMMYS_TEST_KEPT"), "before");
  EXPECT_EQ(std::getenv("__OW_CLEMMYS_TEST_KEY"), nullptr);
  env.apply({{"__OW_CLEMMYS_TEST_KEY", "again"}});
  EXPECT_STREQ(std::getenv("__OW_CLEMMYS_TEST_KEY"), "again");
  ::unsetenv("__OW_CLEMMYS_TEST_KEPT");
  ::unsetenv("__OW_CLEMMYS_TEST_KEY");
}

TEST(Activation, ProcessEnvOwnsItsValuesAndRestoresThemWhenDestroyed) {
  ::unsetenv("__OW_CLEMMYS_TEST_ID");
  {
    ProcessEnv env;
    for (int i = 0; i < 1000; ++i) {
      std::string id = "activation-" + std::to_string(i);
      env.apply({{"__OW_CLEMMYS_TEST_ID", id}});
      ASSERT_STREQ(std::getenv("__OW_CLEMMYS_TEST_ID"), id.c_str());
    }
  }
  EXPECT_EQ(std::getenv("__OW_CLEMMYS_TEST_ID"), nullptr);
}

}  // namespace
}  // namespace clemmys::runtime
