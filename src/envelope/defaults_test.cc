#include "envelope/defaults.h"

#include <gtest/gtest.h>

namespace clemmys::envelope {
namespace {

TEST(Defaults, BindingNamesOneSealing) {
  Bytes v1(100, 1), v2(100, 2);
  Digest binding = defaultsBinding(v2);
  EXPECT_TRUE(checkBound(binding));
  EXPECT_TRUE(checkDefaults(binding, &v2));
  EXPECT_EQ(checkDefaults(binding, &v1).error().name, "runtime.defaults_substituted");  // D3: older copy
  EXPECT_EQ(checkDefaults(binding, nullptr).error().name, "runtime.defaults_dropped");  // D2
}

TEST(Defaults, NoDefaultsIsExplicitAndExclusive) {
  Bytes any(50, 3);
  EXPECT_TRUE(checkBound(noDefaultsBinding()));
  EXPECT_TRUE(checkDefaults(noDefaultsBinding(), nullptr));
  EXPECT_EQ(checkDefaults(noDefaultsBinding(), &any).error().name, "runtime.defaults_substituted");
}

TEST(Defaults, ZeroBindingIsRefused) {
  EXPECT_EQ(checkBound(Digest{}).error().name, "runtime.defaults_unbound");  // D1
}

}  // namespace
}  // namespace clemmys::envelope
