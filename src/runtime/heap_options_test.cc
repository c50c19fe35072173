#include "runtime/heap_options.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace clemmys::runtime {
namespace {

// A fake environment: only the given variables exist.
EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

HeapDefaults defaults(std::map<std::string, std::string> vars) {
  auto d = heapDefaultsFromEnv(envOf(std::move(vars)));
  EXPECT_TRUE(d) << d.error().str();
  return d ? *d : HeapDefaults{};
}

TEST(HeapOptionsTest, NoSizeAnywhereMeansNoHeap) {
  auto o = resolveHeapOptions(defaults({{"CLEMMYS_HEAP_POLICY", "lazy"}}), heap::HeapSettings{});
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->has_value());
  // Settings without a size do not create a heap either.
  heap::HeapSettings s;
  s.zeroOnFree = false;
  o = resolveHeapOptions(defaults({}), s);
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->has_value());
}

TEST(HeapOptionsTest, EnvironmentGivesTheRuntimeDefaults) {
  auto o = resolveHeapOptions(defaults({{"CLEMMYS_HEAP_SIZE_MIB", "32"},
                                        {"CLEMMYS_HEAP_POLICY", "eager"},
                                        {"CLEMMYS_HEAP_BATCH_PAGES", "4"},
                                        {"CLEMMYS_HEAP_ZERO_ON_FREE", "0"},
                                        {"CLEMMYS_HEAP_MEASURE", "0"}}),
                              heap::HeapSettings{});
  ASSERT_TRUE(o && o->has_value());
  EXPECT_EQ((*o)->sizeBytes, size_t{32} << 20);
  EXPECT_EQ((*o)->policy, heap::Policy::eager);
  EXPECT_EQ((*o)->batchPages, 4u);
  EXPECT_FALSE((*o)->zeroOnFree);
  EXPECT_FALSE((*o)->measurePages);
}

TEST(HeapOptionsTest, ActionSettingsOverrideMemberByMember) {
  heap::HeapSettings s;
  s.sizeMib = 8;
  s.policy = "lazy";
  s.zeroOnFree = true;
  auto o = resolveHeapOptions(defaults({{"CLEMMYS_HEAP_SIZE_MIB", "32"},
                                        {"CLEMMYS_HEAP_POLICY", "eager"},
                                        {"CLEMMYS_HEAP_BATCH_PAGES", "4"},
                                        {"CLEMMYS_HEAP_ZERO_ON_FREE", "0"}}),
                              s);
  ASSERT_TRUE(o && o->has_value());
  EXPECT_EQ((*o)->sizeBytes, size_t{8} << 20);
  EXPECT_EQ((*o)->policy, heap::Policy::lazy);
  EXPECT_EQ((*o)->batchPages, 4u);  // not overridden: the runtime's default
  EXPECT_TRUE((*o)->zeroOnFree);
}

TEST(HeapOptionsTest, ActionSizeCreatesAHeapTheRuntimeDoesNotDefault) {
  heap::HeapSettings s;
  s.sizeMib = 16;
  auto o = resolveHeapOptions(defaults({{"CLEMMYS_HEAP_POLICY", "lazy"}}), s);
  ASSERT_TRUE(o && o->has_value());
  EXPECT_EQ((*o)->sizeBytes, size_t{16} << 20);
  EXPECT_EQ((*o)->policy, heap::Policy::lazy);  // the runtime's policy still applies
  EXPECT_TRUE((*o)->zeroOnFree);                // and the built-in default
}

TEST(HeapOptionsTest, BadEnvironmentAndSettingsAreErrors) {
  EXPECT_FALSE(heapDefaultsFromEnv(envOf({{"CLEMMYS_HEAP_SIZE_MIB", "0"}})));
  EXPECT_FALSE(heapDefaultsFromEnv(envOf({{"CLEMMYS_HEAP_SIZE_MIB", "12x"}})));
  EXPECT_FALSE(heapDefaultsFromEnv(envOf({{"CLEMMYS_HEAP_POLICY", "greedy"}})));
  EXPECT_FALSE(heapDefaultsFromEnv(envOf({{"CLEMMYS_HEAP_BATCH_PAGES", "0"}})));
  heap::HeapSettings s;
  s.sizeMib = 8;
  s.policy = "greedy";  // HeapSettings built by hand, bypassing the parsers
  auto o = resolveHeapOptions(HeapDefaults{}, s);
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().name, "heap.bad_policy");
}

}  // namespace
}  // namespace clemmys::runtime
