// The enclave-style heap seen from a real clemmys-runtime: a cpp function that writes
// a secret into heap memory leaves nothing for the next activation to find, and with
// zeroing switched off the same probe does find it (so the test can fail); per-action
// heap settings in /init override the runtime's env defaults.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "runtime/runtime_harness.h"

namespace clemmys::runtime::testing {
namespace {

namespace json = boost::json;

std::string library() {
  std::ifstream in(CLEMMYS_RUNTIME_TEST_LIB, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return base64Encode(s.str());
}

// Runs write-then-scan on a runtime whose heap has the given zeroing setting;
// returns what the scan reported.
json::object writeThenScan(const char* zeroOnFree) {
  auto rt = RuntimeProcess::start(CLEMMYS_RUNTIME_BIN, {},
                                  {{"CLEMMYS_HEAP_SIZE_MIB", "16"},
                                   {"CLEMMYS_HEAP_POLICY", "batched"},
                                   {"CLEMMYS_HEAP_ZERO_ON_FREE", zeroOnFree}});
  EXPECT_TRUE(rt) << rt.error().str();
  json::object value{{"name", "probe"}, {"main", "heap_probe"}, {"code", library()},
                     {"binary", true}, {"kind", "cpp"}};
  auto init = (*rt)->post("/init", json::serialize(json::object{{"value", value}}));
  EXPECT_TRUE(init && init->status == 200) << (init ? init->body : init.error().str());
  auto write = (*rt)->post("/run", R"({"value":{"write":true}})");
  EXPECT_TRUE(write && write->status == 200);
  auto scan = (*rt)->post("/run", R"({"value":{"scan":true}})");
  EXPECT_TRUE(scan && scan->status == 200) << (scan ? scan->body : scan.error().str());
  return json::parse(scan->body).as_object();
}

TEST(RuntimeHeap, NothingSurvivesFromOneActivationToTheNext) {
  auto r = writeThenScan("1");
  EXPECT_EQ(r.at("heap"), true);
  EXPECT_EQ(r.at("found"), false);
}

TEST(RuntimeHeap, WithoutZeroingTheSecretIsStillThere) {
  auto r = writeThenScan("0");
  EXPECT_EQ(r.at("heap"), true);
  EXPECT_EQ(r.at("found"), true);
}

// Per-action settings (doc/heap.md): the /init "heap" object, as the invoker sends
// the action's clemmys-heap-* annotations, overrides the runtime's env defaults.
struct Started {
  std::unique_ptr<RuntimeProcess> rt;
  Result<http::Response> init = fail("test.not_run");
};

Started initWithHeap(EnvVars env, const char* main, json::value heap) {
  Started s;
  auto rt = RuntimeProcess::start(CLEMMYS_RUNTIME_BIN, {}, std::move(env));
  EXPECT_TRUE(rt) << rt.error().str();
  if (!rt) return s;
  s.rt = std::move(*rt);
  json::object value{{"name", "probe"}, {"main", main}, {"code", library()}, {"binary", true}, {"kind", "cpp"}};
  if (!heap.is_null()) value["heap"] = std::move(heap);
  s.init = s.rt->post("/init", json::serialize(json::object{{"value", value}}));
  return s;
}

json::object heapShape(EnvVars env, json::value heap) {
  auto s = initWithHeap(std::move(env), "heap_shape", std::move(heap));
  EXPECT_TRUE(s.init && s.init->status == 200) << (s.init ? s.init->body : s.init.error().str());
  if (!s.init || s.init->status != 200) return {};
  auto r = s.rt->post("/run", R"({"value":{}})");
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error().str());
  return r && r->status == 200 ? json::parse(r->body).as_object() : json::object{};
}

const EnvVars kBatched16 = {{"CLEMMYS_HEAP_SIZE_MIB", "16"}, {"CLEMMYS_HEAP_POLICY", "batched"},
                            {"CLEMMYS_HEAP_BATCH_PAGES", "16"}};

TEST(RuntimeHeap, RuntimeDefaultsApplyWithoutSettings) {
  auto r = heapShape(kBatched16, nullptr);
  ASSERT_EQ(r.at("heap"), true);
  EXPECT_EQ(r.at("capacity").to_number<int64_t>(), int64_t{16} << 20);
  EXPECT_EQ(r.at("resident").to_number<int64_t>(), 16);
}

TEST(RuntimeHeap, SettingsOverrideSizeAndLazyPolicy) {
  auto r = heapShape(kBatched16, json::object{{"size_mib", 4}, {"policy", "lazy"}});
  ASSERT_EQ(r.at("heap"), true);
  EXPECT_EQ(r.at("capacity").to_number<int64_t>(), int64_t{4} << 20);
  EXPECT_EQ(r.at("resident").to_number<int64_t>(), 1);  // the header's page only
}

TEST(RuntimeHeap, SettingsSelectEagerCommit) {
  auto r = heapShape(kBatched16, json::object{{"size_mib", 2}, {"policy", "eager"}});
  ASSERT_EQ(r.at("heap"), true);
  EXPECT_EQ(r.at("capacity").to_number<int64_t>(), int64_t{2} << 20);
  EXPECT_EQ(r.at("resident"), r.at("pages"));
}

TEST(RuntimeHeap, SettingsOverrideTheBatchOnly) {
  auto r = heapShape(kBatched16, json::object{{"batch_pages", 4}});
  ASSERT_EQ(r.at("heap"), true);
  EXPECT_EQ(r.at("capacity").to_number<int64_t>(), int64_t{16} << 20);  // the runtime's size
  EXPECT_EQ(r.at("resident").to_number<int64_t>(), 4);
}

TEST(RuntimeHeap, SettingsGiveAHeapWhereTheRuntimeHasNone) {
  auto none = heapShape({}, nullptr);
  EXPECT_EQ(none.at("heap"), false);
  auto r = heapShape({}, json::object{{"size_mib", 8}});
  ASSERT_EQ(r.at("heap"), true);
  EXPECT_EQ(r.at("capacity").to_number<int64_t>(), int64_t{8} << 20);
}

TEST(RuntimeHeap, SettingsTurnZeroingOffInPlainMode) {
  auto s = initWithHeap({{"CLEMMYS_HEAP_SIZE_MIB", "16"}, {"CLEMMYS_HEAP_ZERO_ON_FREE", "1"}}, "heap_probe",
                        json::object{{"zero_on_free", false}});
  ASSERT_TRUE(s.init && s.init->status == 200);
  ASSERT_TRUE(s.rt->post("/run", R"({"value":{"write":true}})"));
  auto scan = s.rt->post("/run", R"({"value":{"scan":true}})");
  ASSERT_TRUE(scan && scan->status == 200);
  EXPECT_EQ(json::parse(scan->body).at("found"), true);
}

TEST(RuntimeHeap, MalformedSettingsFailInit) {
  auto s = initWithHeap({}, "heap_shape", json::object{{"size_mib", 8}, {"zero", false}});
  ASSERT_TRUE(s.init);
  EXPECT_EQ(s.init->status, 400);
  EXPECT_NE(s.init->body.find("unknown member 'zero'"), std::string::npos) << s.init->body;
  // A failed /init leaves the runtime uninitialised: a good one still succeeds.
  json::object value{{"name", "probe"}, {"main", "heap_shape"}, {"code", library()}, {"binary", true},
                     {"kind", "cpp"}, {"heap", json::object{{"size_mib", 1}}}};
  auto again = s.rt->post("/init", json::serialize(json::object{{"value", value}}));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

}  // namespace
}  // namespace clemmys::runtime::testing
