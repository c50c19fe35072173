// The /init body the invoker sends: the action's heap settings travel as value.heap.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "invoker/instance.h"

namespace clemmys::invoker {
namespace {

namespace json = boost::json;

RunRequest cppRequest() {
  RunRequest r;
  r.action.ns = "guest";
  r.action.fqn = "/guest/f";
  r.action.kind = "cpp";
  r.action.main = "main";
  r.action.code = "AAAA";
  r.action.binary = true;
  r.activationId = std::string(32, 'a');
  return r;
}

TEST(InitBodyTest, CarriesTheHeapSettings) {
  RunRequest r = cppRequest();
  r.action.heap = json::object{{"size_mib", 64}, {"policy", "lazy"}};
  auto value = json::parse(initBody(r)).at("value").as_object();
  ASSERT_TRUE(value.contains("heap"));
  EXPECT_EQ(value.at("heap"), (json::object{{"size_mib", 64}, {"policy", "lazy"}}));
  EXPECT_EQ(value.at("kind"), "cpp");
}

TEST(InitBodyTest, NoSettingsNoHeapMember) {
  auto value = json::parse(initBody(cppRequest())).at("value").as_object();
  EXPECT_FALSE(value.contains("heap"));
}

}  // namespace
}  // namespace clemmys::invoker
