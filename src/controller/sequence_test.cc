// The sequence engine: creation checks and execution, over real HTTP.
#include "controller/controller_test_util.h"

namespace clemmys::controller::testing {
namespace {

using Sequence = ControllerFixture;

json::value annotationOf(const json::value& rec, std::string_view key) {
  for (auto& a : rec.at("annotations").as_array())
    if (a.at("key").as_string() == key) return a.at("value");
  return nullptr;
}

TEST_F(Sequence, RunsComponentsInOrderAndRecordsIds) {
  ASSERT_EQ(putAction("a", "append:A", R"("parameters":[{"key":"fromA","value":true}])").status, 200);
  ASSERT_EQ(putAction("b", "append:B", R"("limits":{"memory":512})").status, 200);
  ASSERT_EQ(putAction("pkg/c", "append:C").status, 200);
  auto created = putSequence("s", {"/_/a", "/guest/b", "/_/pkg/c"});
  ASSERT_EQ(created.status, 200) << created.error();
  EXPECT_EQ(created.body.at("exec").at("components"),
            json::parse(R"(["/guest/a","/guest/b","/guest/pkg/c"])"));

  auto r = invoke("s", "blocking=true", R"({"trail":">"})");
  ASSERT_EQ(r.status, 200) << r.raw.body;
  EXPECT_EQ(r.body.at("response").at("result").at("trail"), ">ABC");
  EXPECT_EQ(r.body.at("response").at("result").at("fromA"), true);
  std::string seqId(r.body.at("activationId").as_string());
  auto& logs = r.body.at("logs").as_array();
  ASSERT_EQ(logs.size(), 3u);
  // Sum of the components' durations: each is cold in the fake (3 ms init + 5 ms run).
  EXPECT_EQ(r.body.at("duration"), 24);
  EXPECT_EQ(annotationOf(r.body, "topmost"), true);
  EXPECT_EQ(annotationOf(r.body, "kind"), "sequence");
  EXPECT_EQ(annotationOf(r.body, "path"), "guest/s");
  EXPECT_EQ(annotationOf(r.body, "limits").at("memory"), 512);
  EXPECT_FALSE(annotationOf(r.body, "waitTime").is_null());

  auto reqs = invoker_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].action.fqn, "/guest/a");
  EXPECT_EQ(reqs[1].action.fqn, "/guest/b");
  EXPECT_EQ(reqs[2].action.fqn, "/guest/pkg/c");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(reqs[i].activationId, std::string(logs[i].as_string()));
    auto comp = call("GET", "/api/v1/namespaces/_/activations/" + std::string(logs[i].as_string()));
    ASSERT_EQ(comp.status, 200);
    EXPECT_EQ(comp.body.at("cause").as_string(), seqId);
    EXPECT_EQ(annotationOf(comp.body, "causedBy"), "sequence");
  }
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/activations?count=true").body,
            json::parse(R"({"activations":4})"));
}

TEST_F(Sequence, ErrorStopsTheSequence) {
  ASSERT_EQ(putAction("a", "append:A").status, 200);
  ASSERT_EQ(putAction("bad", "error").status, 200);
  ASSERT_EQ(putAction("c", "append:C").status, 200);
  ASSERT_EQ(putSequence("s", {"/_/a", "/_/bad", "/_/c"}).status, 200);
  auto r = invoke("s");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.body.at("response").at("status"), "application error");
  EXPECT_EQ(r.body.at("response").at("result"), json::parse(R"({"error":"boom"})"));
  EXPECT_EQ(r.body.at("logs").as_array().size(), 2u);
  EXPECT_EQ(invoker_.requests().size(), 2u);
  auto res = invoke("s", "blocking=true&result=true");
  EXPECT_EQ(res.body, json::parse(R"({"error":"boom"})"));
}

TEST_F(Sequence, NestedSequencesRunAsChildren) {
  ASSERT_EQ(putAction("a", "append:A").status, 200);
  ASSERT_EQ(putSequence("inner", {"/_/a", "/_/a"}).status, 200);
  ASSERT_EQ(putSequence("outer", {"/_/inner", "/_/a"}).status, 200);
  auto r = invoke("outer", "blocking=true", R"({"trail":""})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("response").at("result").at("trail"), "AAA");
  auto& logs = r.body.at("logs").as_array();
  ASSERT_EQ(logs.size(), 2u);
  auto inner = call("GET", "/api/v1/namespaces/_/activations/" + std::string(logs[0].as_string()));
  EXPECT_EQ(inner.body.at("logs").as_array().size(), 2u);
  EXPECT_EQ(annotationOf(inner.body, "causedBy"), "sequence");
  EXPECT_TRUE(annotationOf(inner.body, "topmost").is_null());
}

TEST_F(Sequence, CreationChecks) {
  ASSERT_EQ(putAction("x", "echo").status, 200);
  auto missing = putSequence("s", {"/_/x", "/_/nope"});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.error(), "Sequence component does not exist.");
  auto otherNs = putSequence("s", {"/elsewhere/x"});
  EXPECT_EQ(otherNs.error(), "Sequence component does not exist.");
  auto self = putSequence("s", {"/_/s"});
  EXPECT_EQ(self.status, 400);
  EXPECT_EQ(self.error(), "Sequence may not refer to itself.");

  ASSERT_EQ(putSequence("s1", {"/_/x"}).status, 200);
  ASSERT_EQ(putSequence("s2", {"/_/s1"}).status, 200);
  auto cycle = putSequence("s1", {"/_/s2"}, true);  // s1 → s2 → s1
  EXPECT_EQ(cycle.status, 400);
  EXPECT_EQ(cycle.error(), "Sequence may not refer to itself.");

  std::vector<std::string> fifty(50, "/_/x");
  ASSERT_EQ(putSequence("full", fifty).status, 200);
  ASSERT_EQ(putSequence("wrapsFull", {"/_/full"}).status, 200);
  auto tooLong = putSequence("tooLong", {"/_/full", "/_/x"});
  EXPECT_EQ(tooLong.status, 400);
  EXPECT_EQ(tooLong.error(), "Too many actions in the sequence.");
  std::vector<std::string> fiftyOne(51, "/_/x");
  EXPECT_EQ(putSequence("tooLong", fiftyOne).error(), "Too many actions in the sequence.");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions/tooLong").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions/s1").body.at("exec").at("components"),
            json::parse(R"(["/guest/x"])"));
}

TEST_F(Sequence, DeletedComponentIsAnApplicationError) {
  ASSERT_EQ(putAction("x", "echo").status, 200);
  ASSERT_EQ(putSequence("s", {"/_/x"}).status, 200);
  ASSERT_EQ(call("DELETE", "/api/v1/namespaces/_/actions/x").status, 200);
  auto r = invoke("s");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.body.at("response").at("result").at("error"), "Sequence component does not exist.");
  EXPECT_TRUE(r.body.at("logs").as_array().empty());
}

TEST_F(Sequence, OwnParametersAreDropped) {
  ASSERT_EQ(putAction("x", "echo").status, 200);
  auto body = R"({"exec":{"kind":"sequence","components":["/_/x"]},"parameters":[{"key":"p","value":1}]})";
  auto r = call("PUT", "/api/v1/namespaces/_/actions/s", body);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.at("parameters").as_array().empty());
}

}  // namespace
}  // namespace clemmys::controller::testing
