#include "cli/args.h"

#include <gtest/gtest.h>

namespace clemmys::cli {
namespace {

const std::vector<FlagSpec> kSpecs = {
    {"param", "p", 2}, {"kind", "", 1}, {"blocking", "b", 0}, {"limit", "l", 1}};

TEST(ArgsTest, PositionalsAndFlagsInAnyOrder) {
  auto parsed = parseArgs({"hello", "-p", "name", "World", "hello.py", "--kind", "python:3", "-b"},
                          kSpecs);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().str();
  EXPECT_EQ(parsed->positionals, (std::vector<std::string>{"hello", "hello.py"}));
  EXPECT_EQ(parsed->value("kind"), "python:3");
  EXPECT_TRUE(parsed->has("blocking"));
  ASSERT_EQ(parsed->all("param").size(), 1u);
  EXPECT_EQ(parsed->all("param")[0], (std::vector<std::string>{"name", "World"}));
}

TEST(ArgsTest, RepeatedFlagsKeepOrderAndLastValueWins) {
  auto parsed = parseArgs({"--param", "a", "1", "-p", "b", "2", "-l", "5", "--limit=7"}, kSpecs);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->all("param").size(), 2u);
  EXPECT_EQ(parsed->all("param")[1][0], "b");
  EXPECT_EQ(parsed->value("limit"), "7");
  EXPECT_TRUE(parsed->all("kind").empty());
  EXPECT_FALSE(parsed->value("kind").has_value());
}

TEST(ArgsTest, ValuesMayLookLikeNegativeNumbersOrDashes) {
  auto parsed = parseArgs({"-p", "n", "-3", "-", "--", "--kind"}, kSpecs);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->all("param")[0][1], "-3");
  EXPECT_EQ(parsed->positionals, (std::vector<std::string>{"-", "--kind"}));
}

TEST(ArgsTest, UnknownFlagIsAUsageError) {
  auto parsed = parseArgs({"--nope"}, kSpecs);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().name, "cli.usage");
  EXPECT_NE(parsed.error().message.find("--nope"), std::string::npos);
}

TEST(ArgsTest, MissingValuesAreAUsageError) {
  EXPECT_FALSE(parseArgs({"-p", "only-key"}, kSpecs).has_value());
  EXPECT_FALSE(parseArgs({"--kind"}, kSpecs).has_value());
  EXPECT_FALSE(parseArgs({"--blocking=yes"}, kSpecs).has_value());
  EXPECT_FALSE(parseArgs({"-b", "--param=x"}, kSpecs).has_value());
}

TEST(ArgsTest, ParseCount) {
  EXPECT_EQ(parseCount("42", "--limit").value(), 42);
  EXPECT_FALSE(parseCount("-1", "--limit").has_value());
  EXPECT_FALSE(parseCount("4x", "--limit").has_value());
  EXPECT_FALSE(parseCount("", "--limit").has_value());
}

}  // namespace
}  // namespace clemmys::cli
