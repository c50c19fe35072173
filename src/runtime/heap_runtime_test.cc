// The enclave-style heap seen from a real clemmys-runtime: a cpp function that writes
// a secret into heap memory leaves nothing for the next activation to find, and with
// zeroing switched off the same probe does find it (so the test can fail).
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

}  // namespace
}  // namespace clemmys::runtime::testing
