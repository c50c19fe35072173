// Per-action heap annotations (doc/heap.md): validated at create/update with the
// OpenWhisk error shape and nothing stored on bad input; carried to the invoker as
// ActionCode.heap.
#include "controller/controller_test_util.h"

namespace clemmys::controller::testing {
namespace {

using HeapAnnotations = ControllerFixture;

const char* kAction = "/api/v1/namespaces/_/actions/h";

TEST_F(HeapAnnotations, BadAnnotationOnCreateIsRefusedAndNothingStored) {
  struct Case {
    std::string annotations;
    std::string error;
  } cases[] = {
      {R"([{"key":"clemmys-heap-mib","value":300}])",
       "The annotation 'clemmys-heap-mib' (300 MiB) must not exceed the action's memory limit (256 MB)."},
      {R"([{"key":"clemmys-heap-mib","value":0}])", "The annotation 'clemmys-heap-mib' must be a positive integer (MiB)."},
      {R"([{"key":"clemmys-heap-policy","value":"greedy"}])",
       "The annotation 'clemmys-heap-policy' must be 'eager', 'lazy' or 'batched'."},
      {R"([{"key":"clemmys-heap-batch-pages","value":0}])",
       "The annotation 'clemmys-heap-batch-pages' must be an integer between 1 and 262144."},
      {R"([{"key":"clemmys-heap-zero-on-free","value":"no"}])",
       "The annotation 'clemmys-heap-zero-on-free' must be a boolean."},
  };
  for (auto& c : cases) {
    auto r = putAction("h", "echo", R"("annotations":)" + c.annotations, "cpp");
    EXPECT_EQ(r.status, 400) << c.annotations;
    EXPECT_EQ(r.error(), c.error);
    EXPECT_TRUE(r.body.at("code").is_string());  // OpenWhisk's {"error","code"}
    EXPECT_EQ(call("GET", kAction).status, 404) << c.annotations;
  }
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions?count=true").body, json::parse(R"({"actions":0})"));
}

TEST_F(HeapAnnotations, UpdatesAreCheckedAgainstTheMergedLimit) {
  ASSERT_EQ(putAction("h", "echo", R"("annotations":[{"key":"clemmys-heap-mib","value":200}])", "cpp").status,
            200);
  auto before = call("GET", kAction);
  // Lowering the memory limit below the stored heap size is refused, as is a bigger heap.
  auto lower = call("PUT", std::string(kAction) + "?overwrite=true", R"({"limits":{"memory":128}})");
  EXPECT_EQ(lower.status, 400);
  EXPECT_EQ(lower.error(),
            "The annotation 'clemmys-heap-mib' (200 MiB) must not exceed the action's memory limit (128 MB).");
  auto bigger = call("PUT", std::string(kAction) + "?overwrite=true",
                     R"({"annotations":[{"key":"clemmys-heap-mib","value":512}]})");
  EXPECT_EQ(bigger.status, 400);
  EXPECT_EQ(call("GET", kAction).body, before.body);
  // Both together are fine.
  auto both = call("PUT", std::string(kAction) + "?overwrite=true",
                   R"({"limits":{"memory":512},"annotations":[{"key":"clemmys-heap-mib","value":512}]})");
  EXPECT_EQ(both.status, 200) << both.raw.body;
}

TEST_F(HeapAnnotations, SettingsReachTheInvoker) {
  ASSERT_EQ(putAction("h", "echo",
                      R"("annotations":[{"key":"clemmys-heap-mib","value":64},
                                        {"key":"clemmys-heap-policy","value":"lazy"},
                                        {"key":"clemmys-heap-zero-on-free","value":true}])",
                      "cpp")
                .status,
            200);
  ASSERT_EQ(invoke("h").status, 200);
  auto sent = invoker_.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].action.heap,
            json::parse(R"({"size_mib":64,"policy":"lazy","zero_on_free":true})").as_object());

  // Without heap annotations nothing is sent: the runtime's defaults apply.
  ASSERT_EQ(putAction("plain", "echo", "", "cpp").status, 200);
  ASSERT_EQ(invoke("plain").status, 200);
  sent = invoker_.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(sent[1].action.heap.empty());
}

}  // namespace
}  // namespace clemmys::controller::testing
