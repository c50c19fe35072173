#include "cli/format.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace clemmys::cli {
namespace {

namespace json = boost::json;

TEST(PrettyJsonTest, IndentsNestedValues) {
  EXPECT_EQ(prettyJson(json::parse(R"({"greeting":"Hello, \"W\"!","n":[1,{}],"e":[]})")),
            "{\n"
            "    \"greeting\": \"Hello, \\\"W\\\"!\",\n"
            "    \"n\": [\n"
            "        1,\n"
            "        {}\n"
            "    ],\n"
            "    \"e\": []\n"
            "}");
  EXPECT_EQ(prettyJson(json::value(3)), "3");
  EXPECT_EQ(prettyJson(json::value(797.443)), "797.443");
  EXPECT_EQ(prettyJson(json::value(2.0)), "2.0");
  EXPECT_EQ(prettyJson(json::value(1e-7)), "1e-07");
  EXPECT_EQ(prettyJson(json::parse("[-0.5]")), "[\n    -0.5\n]");
  EXPECT_EQ(prettyJson(json::object{}), "{}");
}

TEST(TableTest, AlignsColumns) {
  EXPECT_EQ(formatTable({{"a", "bb", "c"}, {"long", "x"}}),
            "a     bb  c\n"
            "long  x\n");
}

TEST(TableTest, EpochMsIsUtc) { EXPECT_EQ(formatEpochMs(1700000000123), "2023-11-14 22:13:20"); }

TEST(ListTest, Actions) {
  auto list = json::parse(R"([
    {"namespace":"guest","name":"hello","publish":false,
     "annotations":[{"key":"exec","value":"python:3"}],"exec":{"binary":false}},
    {"namespace":"guest","name":"pkg/longer-name","publish":true,"exec":{"kind":"cpp"}}])");
  EXPECT_EQ(formatActionList(list),
            "actions\n"
            "/guest/hello            private  python:3\n"
            "/guest/pkg/longer-name  public   cpp\n");
}

TEST(ListTest, Activations) {
  auto list = json::parse(R"([
    {"activationId":"aaaa","namespace":"guest","name":"hello","version":"0.0.1",
     "start":1700000000123,"duration":41,"statusCode":0,
     "annotations":[{"key":"kind","value":"python:3"},{"key":"initTime","value":30}]},
    {"activationId":"bbbb","namespace":"guest","name":"seq","start":1700000001000,
     "statusCode":1,"annotations":[{"key":"kind","value":"sequence"}]}])");
  EXPECT_EQ(formatActivationList(list),
            "Datetime             Activation ID  Kind      Start  Duration  Status             "
            "Entity\n"
            "2023-11-14 22:13:20  aaaa           python:3  cold   41ms      success            "
            "guest/hello:0.0.1\n"
            "2023-11-14 22:13:21  bbbb           sequence  --     --        application error  "
            "guest/seq\n");
}

TEST(StatusTest, FromRecordOrSummary) {
  EXPECT_EQ(activationStatus(json::parse(R"({"response":{"status":"action developer error"}})")),
            "action developer error");
  EXPECT_EQ(activationStatus(json::parse(R"({"statusCode":3})")), "internal error");
  EXPECT_EQ(activationStatus(json::parse(R"({})")), "unknown");
}

}  // namespace
}  // namespace clemmys::cli
