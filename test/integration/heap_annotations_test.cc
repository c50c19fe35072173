// Per-action heap settings end to end (doc/heap.md): `clemmys up`, plain and secure,
// deploys a cpp action with clemmys-heap-* annotations; the function's heap_shape
// probe reports the size and commit policy it got. In secure mode the settings went
// gateway -> sealed CODE -> attested runtime; in plain mode controller -> invoker ->
// /init value.heap.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "up_process.h"

namespace clemmys::testing {
namespace {

namespace json = boost::json;

std::string library() {
  std::ifstream f(CLEMMYS_RUNTIME_TEST_LIB, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return base64Encode(s.str());
}

class HeapAnnotationsE2E : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { dir_ = makeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_P(HeapAnnotationsE2E, ActionGetsItsHeapSizeAndPolicy) {
  UpProcess up(dir_, {}, /*secure=*/GetParam());
  ASSERT_TRUE(up.ready());
  json::object body{{"exec", {{"kind", "cpp"}, {"code", library()}, {"main", "heap_shape"}}},
                    {"annotations", json::array{json::object{{"key", "clemmys-heap-mib"}, {"value", 4}},
                                                json::object{{"key", "clemmys-heap-policy"}, {"value", "lazy"}}}}};
  auto put = up.call("PUT", "/api/v1/namespaces/_/actions/shape", json::serialize(body));
  ASSERT_TRUE(put) << put.error().str();
  ASSERT_EQ(put->status, 200) << put->body;
  auto r = up.call("POST", "/api/v1/namespaces/_/actions/shape?blocking=true&result=true", "{}");
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(r->status, 200) << r->body;
  auto shape = json::parse(r->body).as_object();
  ASSERT_EQ(shape.at("heap"), true) << r->body;
  EXPECT_EQ(shape.at("capacity").to_number<int64_t>(), int64_t{4} << 20);
  EXPECT_EQ(shape.at("resident").to_number<int64_t>(), 1);  // lazy: the block header's page

  // Over the memory limit: refused, the action keeps its settings.
  auto bad = up.call("PUT", "/api/v1/namespaces/_/actions/shape?overwrite=true",
                     R"({"annotations":[{"key":"clemmys-heap-mib","value":1024}]})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << bad->body;
}

INSTANTIATE_TEST_SUITE_P(Modes, HeapAnnotationsE2E, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Secure" : "Plain"; });

}  // namespace
}  // namespace clemmys::testing
