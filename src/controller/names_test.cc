#include "controller/names.h"

#include <gtest/gtest.h>

namespace clemmys::controller {
namespace {

TEST(NamesTest, EntityNameRules) {
  EXPECT_TRUE(isValidEntityName("a"));
  EXPECT_TRUE(isValidEntityName("hello_world"));
  EXPECT_TRUE(isValidEntityName("my action@v1.0-x"));
  EXPECT_TRUE(isValidEntityName("a."));
  EXPECT_FALSE(isValidEntityName(""));
  EXPECT_FALSE(isValidEntityName("-a"));
  EXPECT_FALSE(isValidEntityName(" a"));
  EXPECT_FALSE(isValidEntityName("a "));
  EXPECT_FALSE(isValidEntityName("a/b"));
  EXPECT_FALSE(isValidEntityName("a$b"));
  EXPECT_TRUE(isValidEntityName(std::string(256, 'x')));
  EXPECT_FALSE(isValidEntityName(std::string(257, 'x')));
}

TEST(NamesTest, ParsesFullyQualifiedNames) {
  auto a = parseFqn("/guest/a", "me");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ns, "guest");
  EXPECT_EQ(a->path, "a");
  EXPECT_EQ(a->fqn(), "/guest/a");
  auto b = parseFqn("/_/pkg/b", "me");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->ns, "me");
  EXPECT_EQ(b->path, "pkg/b");
  EXPECT_EQ(b->pkg(), "pkg");
  EXPECT_EQ(b->simpleName(), "b");
  EXPECT_TRUE(parseFqn("guest/a", "me"));
  EXPECT_FALSE(parseFqn("/a", "me"));
  EXPECT_FALSE(parseFqn("/a/b/c/d", "me"));
  EXPECT_FALSE(parseFqn("/guest/", "me"));
  EXPECT_FALSE(parseFqn("/guest/a$", "me"));
}

TEST(NamesTest, ActivationIds) {
  EXPECT_TRUE(isActivationId(std::string(32, 'a')));
  EXPECT_TRUE(isActivationId("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(isActivationId("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(isActivationId(std::string(31, 'a')));
  EXPECT_FALSE(isActivationId(std::string(32, 'g')));
}

}  // namespace
}  // namespace clemmys::controller
