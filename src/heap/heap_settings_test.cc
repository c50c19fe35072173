#include "heap/heap_settings.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace clemmys::heap {
namespace {

namespace json = boost::json;

json::array annotations(std::string_view text) { return json::parse(text).as_array(); }

TEST(HeapSettingsTest, ReadsAllFourAnnotationsAndIgnoresOthers) {
  auto s = heapSettingsFromAnnotations(annotations(R"([
      {"key":"exec","value":"cpp"},
      {"key":"clemmys-heap-mib","value":64},
      {"key":"clemmys-heap-policy","value":"lazy"},
      {"key":"clemmys-heap-batch-pages","value":8},
      {"key":"clemmys-heap-zero-on-free","value":false}])"),
                                       256);
  ASSERT_TRUE(s) << s.error().str();
  EXPECT_EQ(s->sizeMib, 64u);
  EXPECT_EQ(s->policy, "lazy");
  EXPECT_EQ(s->batchPages, 8u);
  EXPECT_EQ(s->zeroOnFree, false);
}

TEST(HeapSettingsTest, NoHeapAnnotationsGiveEmptySettings) {
  auto s = heapSettingsFromAnnotations(annotations(R"([{"key":"provide-api-key","value":true}])"), 256);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->empty());
  EXPECT_EQ(canonicalHeapJson(*s), "");
}

TEST(HeapSettingsTest, SizeIsBoundedByTheMemoryLimit) {
  auto ok = heapSettingsFromAnnotations(annotations(R"([{"key":"clemmys-heap-mib","value":256}])"), 256);
  EXPECT_TRUE(ok);
  auto big = heapSettingsFromAnnotations(annotations(R"([{"key":"clemmys-heap-mib","value":257}])"), 256);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().name, "heap.bad_annotation");
  EXPECT_EQ(big.error().message,
            "The annotation 'clemmys-heap-mib' (257 MiB) must not exceed the action's memory limit (256 MB).");
  // Without a known limit only the absolute bound applies.
  EXPECT_TRUE(heapSettingsFromAnnotations(annotations(R"([{"key":"clemmys-heap-mib","value":4096}])"),
                                          std::nullopt));
}

TEST(HeapSettingsTest, RefusesBadValues) {
  const char* bad[] = {
      R"([{"key":"clemmys-heap-mib","value":0}])",
      R"([{"key":"clemmys-heap-mib","value":-5}])",
      R"([{"key":"clemmys-heap-mib","value":1.5}])",
      R"([{"key":"clemmys-heap-mib","value":"64"}])",
      R"([{"key":"clemmys-heap-policy","value":"greedy"}])",
      R"([{"key":"clemmys-heap-policy","value":1}])",
      R"([{"key":"clemmys-heap-batch-pages","value":0}])",
      R"([{"key":"clemmys-heap-batch-pages","value":262145}])",
      R"([{"key":"clemmys-heap-zero-on-free","value":"false"}])",
      R"([{"key":"clemmys-heap-zero-on-free","value":0}])",
      R"([{"key":"clemmys-heap-size","value":64}])",
  };
  for (const char* text : bad) {
    auto s = heapSettingsFromAnnotations(annotations(text), 512);
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().name, "heap.bad_annotation") << text;
    EXPECT_NE(s.error().message.find("clemmys-heap-"), std::string::npos) << s.error().message;
  }
}

TEST(HeapSettingsTest, NullUnsetsAnOverride) {
  auto s = heapSettingsFromAnnotations(annotations(R"([
      {"key":"clemmys-heap-mib","value":64},{"key":"clemmys-heap-mib","value":null}])"),
                                       256);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->empty());
}

TEST(HeapSettingsTest, JsonRoundTripIsCanonical) {
  HeapSettings s;
  s.zeroOnFree = true;
  s.policy = "eager";
  s.sizeMib = 32;
  EXPECT_EQ(canonicalHeapJson(s), R"({"size_mib":32,"policy":"eager","zero_on_free":true})");
  auto back = heapSettingsFromJson(json::parse(R"({"zero_on_free":true,"size_mib":32,"policy":"eager"})"));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s);
  EXPECT_EQ(canonicalHeapJson(*back), canonicalHeapJson(s));
}

TEST(HeapSettingsTest, JsonIsStrict) {
  const char* bad[] = {R"([])", R"({"size":1})", R"({"size_mib":0})", R"({"policy":"x"})",
                       R"({"batch_pages":-1})", R"({"zero_on_free":"no"})"};
  for (const char* text : bad) {
    auto s = heapSettingsFromJson(json::parse(text));
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().name, "heap.bad_settings");
  }
  EXPECT_TRUE(heapSettingsFromJson(json::parse("{}")));
}

TEST(HeapSettingsTest, MergeOverridesMemberByMember) {
  HeapSettings base, over;
  base.sizeMib = 64;
  base.zeroOnFree = true;
  over.zeroOnFree = false;
  over.policy = "lazy";
  auto m = mergeHeapSettings(base, over);
  EXPECT_EQ(m.sizeMib, 64u);
  EXPECT_EQ(m.zeroOnFree, false);
  EXPECT_EQ(m.policy, "lazy");
  EXPECT_FALSE(m.batchPages);
}

TEST(HeapSettingsTest, AnnotationsRoundTrip) {
  HeapSettings s;
  s.sizeMib = 16;
  s.batchPages = 4;
  auto back = heapSettingsFromAnnotations(heapSettingsToAnnotations(s), 16);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, s);
}

}  // namespace
}  // namespace clemmys::heap
