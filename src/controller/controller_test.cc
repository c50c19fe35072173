// REST API over real HTTP against Controller::start with a fake invoker.
#include <thread>

#include "controller/controller_test_util.h"

namespace clemmys::controller::testing {
namespace {

using Controller_ = ControllerFixture;

TEST_F(Controller_, AuthIsRequiredAndChecked) {
  auto none = call("GET", "/api/v1/namespaces", "", {}, false);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.error(), "The supplied authentication is invalid");
  EXPECT_TRUE(none.body.at("code").is_string());
  EXPECT_EQ(none.raw.header("WWW-Authenticate").value_or(""), "Basic realm=\"OpenWhisk secure realm\"");
  std::string auth = controller_->auth();
  auto wrong = call("GET", "/api/v1/namespaces", "",
                    authHeaders(auth.substr(0, auth.size() - 1) + "X"), false);
  EXPECT_EQ(wrong.status, 401);
  auto garbage = call("GET", "/api/v1/namespaces", "", {{"Authorization", "Basic !!!"}}, false);
  EXPECT_EQ(garbage.status, 401);
  auto lower = call("GET", "/api/v1/namespaces", "",
                    {{"Authorization", "basic " + base64Encode(auth)}}, false);
  EXPECT_EQ(lower.status, 200);
  EXPECT_EQ(auth.size(), 36u + 1 + 64);
  EXPECT_EQ(controller_->ns(), "guest");
}

TEST_F(Controller_, InfoNamespacesCorsAndUnknownPaths) {
  EXPECT_EQ(call("GET", "/", "", {}, false).status, 200);
  auto root = call("GET", "/", "", {}, false);
  EXPECT_EQ(root.body.at("limits").at("sequence_length"), 50);
  EXPECT_EQ(call("GET", "/api/v1", "", {}, false).status, 200);
  auto ns = call("GET", "/api/v1/namespaces");
  EXPECT_EQ(ns.status, 200);
  EXPECT_EQ(ns.body, json::parse(R"(["guest"])"));
  auto opt = call("OPTIONS", "/api/v1/namespaces/_/actions", "", {}, false);
  EXPECT_EQ(opt.status, 200);
  EXPECT_EQ(opt.raw.header("Access-Control-Allow-Origin").value_or(""), "*");
  EXPECT_EQ(opt.raw.header("Access-Control-Allow-Methods").value_or(""), "GET, DELETE, POST, PUT, HEAD");
  auto other = call("GET", "/api/v1/namespaces/someone/actions");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.error(), "The supplied authentication is not authorized to access 'someone'.");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/guest/actions").status, 200);
  auto missing = call("GET", "/api/v1/namespaces/_/triggers");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error(), "The requested resource does not exist.");
  EXPECT_EQ(call("GET", "/nothing", "", {}, false).status, 404);
}

TEST_F(Controller_, ActionCrud) {
  auto created = putAction("hello", "echo", R"("parameters":[{"key":"p","value":1}])");
  ASSERT_EQ(created.status, 200) << created.error();
  EXPECT_EQ(created.body.at("version"), "0.0.1");
  EXPECT_EQ(created.body.at("exec").at("code"), "echo");
  auto again = putAction("hello", "echo");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error(), "resource already exists");
  auto updated = call("PUT", "/api/v1/namespaces/_/actions/hello?overwrite=true",
                      R"({"exec":{"kind":"nodejs:default","code":"echo"}})");
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(updated.body.at("version"), "0.0.2");
  EXPECT_EQ(updated.body.at("exec").at("kind"), "nodejs:20");
  EXPECT_EQ(updated.body.at("parameters").as_array().size(), 1u);
  auto got = call("GET", "/api/v1/namespaces/_/actions/hello");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, updated.body);
  auto noCode = call("GET", "/api/v1/namespaces/_/actions/hello?code=false");
  EXPECT_FALSE(noCode.body.at("exec").as_object().contains("code"));
  ASSERT_EQ(putAction("pkg/inner", "echo").status, 200);
  auto inner = call("GET", "/api/v1/namespaces/guest/actions/pkg/inner");
  EXPECT_EQ(inner.body.at("namespace"), "guest/pkg");
  EXPECT_EQ(inner.body.at("name"), "inner");
  ASSERT_EQ(putAction("zeta", "echo").status, 200);

  auto list = call("GET", "/api/v1/namespaces/_/actions");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.as_array().size(), 3u);
  EXPECT_EQ(list.body.at(0).at("name"), "hello");
  EXPECT_EQ(list.body.at(0).at("exec").as_object().size(), 1u);  // exec:{binary} only
  EXPECT_FALSE(list.body.at(0).as_object().contains("parameters"));
  auto page = call("GET", "/api/v1/namespaces/_/actions?limit=1&skip=2");
  ASSERT_EQ(page.body.as_array().size(), 1u);
  EXPECT_EQ(page.body.at(0).at("name"), "zeta");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions?count=true").body,
            json::parse(R"({"actions":3})"));
  auto big = call("GET", "/api/v1/namespaces/_/actions?limit=201");
  EXPECT_EQ(big.status, 400);
  EXPECT_EQ(big.error(), "The value '201' is not in the range of 0 to 200 for actions.");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions?skip=-1").error(),
            "The value '-1' is not greater than or equal to 0 for actions.");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions?limit=x").error(),
            "The value 'x' is not an integer for actions.");

  auto deleted = call("DELETE", "/api/v1/namespaces/_/actions/hello");
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body.at("name"), "hello");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions/hello").status, 404);
  EXPECT_EQ(call("DELETE", "/api/v1/namespaces/_/actions/hello").status, 404);
  EXPECT_EQ(call("POST", "/api/v1/namespaces/_/actions/hello?blocking=true").status, 404);
}

TEST_F(Controller_, BadInputChangesNothing) {
  ASSERT_EQ(putAction("a", "echo").status, 200);
  auto before = call("GET", "/api/v1/namespaces/_/actions/a");
  struct Case {
    std::string body;
    std::string error;
  } cases[] = {
      {R"({"limits":{"timeout":50}})", "The action timeout limit must be between 100 and 300000 ms."},
      {R"({"limits":{"memory":1024}})", "The action memory limit must be between 128 and 512 MB."},
      {R"({"exec":{"kind":"cobol","code":"x"}})",
       "The specified runtime 'cobol' is not supported by this platform. Valid values are: "
       "'blackbox', 'cpp', 'nodejs:20', 'python:3', 'sequence'."},
      {R"({"exec":{"kind":"python:3","code":""}})",
       "The request content was malformed:\n'exec.code' must be a non-empty string for kind 'python:3'"},
      {R"({"parameters":{"a":1}})",
       "The request content was malformed:\n'parameters' must be an array of {key, value}"},
      {R"({"annotations":[{"value":1}]})",
       "The request content was malformed:\n'annotations' entries need a string 'key' and a 'value'"},
      {R"({"exec":{"kind":"sequence","components":["/_/nope"]}})", "Sequence component does not exist."},
  };
  for (auto& c : cases) {
    auto r = call("PUT", "/api/v1/namespaces/_/actions/a?overwrite=true", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(r.error(), c.error) << c.body;
  }
  auto malformed = call("PUT", "/api/v1/namespaces/_/actions/a?overwrite=true", "{nope");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(malformed.error().starts_with("The request content was malformed:\n"));
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions/a").body, before.body);
  auto badName = call("PUT", "/api/v1/namespaces/_/actions/-bad", R"({"exec":{"kind":"cpp","code":"x"}})");
  EXPECT_EQ(badName.status, 400);
  EXPECT_EQ(badName.error(), "The name of the entity contains illegal characters.");
  auto tooBig = call("PUT", "/api/v1/namespaces/_/actions/big",
                     R"({"exec":{"kind":"python:3","code":")" + std::string(1 << 20, 'x') + "\"}}");
  EXPECT_EQ(tooBig.status, 413);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions?count=true").body,
            json::parse(R"({"actions":1})"));
}

TEST_F(Controller_, BlockingInvokeReturnsRecord) {
  ASSERT_EQ(putAction("echo", "echo",
                      R"("parameters":[{"key":"p","value":1},{"key":"q","value":1},
                                        {"key":"secret","value":{"k":1},"init":true}],
                         "limits":{"timeout":1000,"memory":128})")
                .status,
            200);
  auto r = invoke("echo", "blocking=true", R"({"q":2,"r":3})");
  ASSERT_EQ(r.status, 200) << r.raw.body;
  auto& rec = r.body.as_object();
  std::string id(rec.at("activationId").as_string());
  EXPECT_EQ(r.raw.header("x-openwhisk-activation-id").value_or(""), id);
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(rec.at("namespace"), "guest");
  EXPECT_EQ(rec.at("name"), "echo");
  EXPECT_EQ(rec.at("version"), "0.0.1");
  EXPECT_EQ(rec.at("subject"), "guest");
  EXPECT_EQ(rec.at("publish"), false);
  EXPECT_EQ(rec.at("response").at("status"), "success");
  EXPECT_EQ(rec.at("response").at("success"), true);
  EXPECT_EQ(rec.at("response").at("result"), json::parse(R"({"p":1,"q":2,"r":3})"));
  EXPECT_EQ(rec.at("duration").as_int64(), rec.at("end").as_int64() - rec.at("start").as_int64());
  EXPECT_EQ(rec.at("logs").as_array().size(), 1u);
  bool sawInit = false, sawPath = false;
  for (auto& a : rec.at("annotations").as_array()) {
    if (a.at("key") == "initTime") sawInit = true;
    if (a.at("key") == "path") sawPath = a.at("value") == "guest/echo";
    if (a.at("key") == "limits") {
      EXPECT_EQ(a.at("value").at("memory"), 128);
    }
  }
  EXPECT_TRUE(sawInit);
  EXPECT_TRUE(sawPath);
  auto reqs = invoker_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].activationId, id);
  EXPECT_EQ(reqs[0].action.fqn, "/guest/echo");
  EXPECT_EQ(reqs[0].action.initEnv.at("secret"), R"({"k":1})");
  EXPECT_EQ(reqs[0].deadlineMs, clock_.nowMs() + 1000);
  EXPECT_FALSE(reqs[0].apiKey.has_value());

  auto warm = invoke("echo", "blocking=true&result=true", R"({"r":4})");
  EXPECT_EQ(warm.status, 200);
  EXPECT_EQ(warm.body, json::parse(R"({"p":1,"q":1,"r":4})"));
  EXPECT_TRUE(warm.raw.header("x-openwhisk-activation-id"));
}

TEST_F(Controller_, StatusCodesByOutcome) {
  ASSERT_EQ(putAction("err", "error").status, 200);
  ASSERT_EQ(putAction("crash", "crash").status, 200);
  ASSERT_EQ(putAction("internal", "internal").status, 200);
  auto e = invoke("err");
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.body.at("response").at("status"), "application error");
  EXPECT_EQ(e.body.at("response").at("result").at("error"), "boom");
  auto eres = invoke("err", "blocking=true&result=true");
  EXPECT_EQ(eres.status, 502);
  EXPECT_EQ(eres.body, json::parse(R"({"error":"boom"})"));
  auto c = invoke("crash");
  EXPECT_EQ(c.status, 502);
  EXPECT_EQ(c.body.at("response").at("status"), "action developer error");
  auto i = invoke("internal");
  EXPECT_EQ(i.status, 500);
  EXPECT_EQ(i.body.at("response").at("status"), "whisk internal error");
}

TEST_F(Controller_, InvokeInputValidation) {
  ASSERT_EQ(putAction("echo", "echo").status, 200);
  for (const char* q : {"blocking=true&timeout=0", "blocking=true&timeout=60001", "timeout=abc"}) {
    auto r = invoke("echo", q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(r.error(), "Timeout must be number of milliseconds up to 60000.");
  }
  auto arr = invoke("echo", "blocking=true", "[1,2]");
  EXPECT_EQ(arr.status, 400);
  EXPECT_TRUE(arr.error().starts_with("The request content was malformed:\n"));
  EXPECT_EQ(invoke("echo", "blocking=true", "{oops").status, 400);
  EXPECT_TRUE(invoker_.requests().empty());
}

TEST_F(Controller_, ChosenActivationIdsAreHonouredOnce) {
  ASSERT_EQ(putAction("echo", "echo").status, 200);
  std::string id = random_.hex(16);
  auto r = invoke("echo", "blocking=true", "", {{"X-Clemmys-Activation-Id", id}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("activationId"), json::value(json::string(id)));
  auto again = invoke("echo", "blocking=true", "", {{"X-Clemmys-Activation-Id", id}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error(), "The activation id is already in use.");
  auto bad = invoke("echo", "blocking=true", "", {{"X-Clemmys-Activation-Id", "XYZ"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error(), "The activation id is not valid.");
  EXPECT_EQ(invoker_.requests().size(), 1u);
}

TEST_F(Controller_, NonBlockingAndTimedOutBlockingGive202) {
  ASSERT_EQ(putAction("slow", "block").status, 200);
  auto nb = invoke("slow", "");
  EXPECT_EQ(nb.status, 202);
  std::string id1(nb.body.at("activationId").as_string());
  EXPECT_EQ(nb.raw.header("x-openwhisk-activation-id").value_or(""), id1);
  auto timed = invoke("slow", "blocking=true&timeout=100");
  EXPECT_EQ(timed.status, 202);
  std::string id2(timed.body.at("activationId").as_string());
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/activations/" + id2).status, 404);  // pending
  invoker_.release();
  for (auto& id : {id1, id2}) {
    Reply got;
    for (int i = 0; i < 200; ++i) {
      got = call("GET", "/api/v1/namespaces/_/activations/" + id);
      if (got.status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.body.at("response").at("status"), "success");
  }
}

TEST_F(Controller_, TooManyConcurrentGives429) {
  controller_->stop();
  controller_.reset();
  startController(2);
  ASSERT_EQ(putAction("slow", "block").status, 200);
  ASSERT_EQ(putAction("echo", "echo").status, 200);
  EXPECT_EQ(invoke("slow", "").status, 202);
  EXPECT_EQ(invoke("slow", "").status, 202);
  auto r = invoke("echo");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.error(), "Too many concurrent requests in flight (count: 3, allowed: 2).");
  invoker_.release();
  for (int i = 0; i < 200 && invoker_.running() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Reply ok;
  for (int i = 0; i < 200; ++i) {  // slots are released just after the invoker returns
    ok = invoke("echo");
    if (ok.status != 429) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(ok.status, 200);
}

TEST_F(Controller_, ProvideApiKeyPassesCallerKey) {
  ASSERT_EQ(putAction("k", "echo", R"("annotations":[{"key":"provide-api-key","value":true}])").status, 200);
  ASSERT_EQ(invoke("k").status, 200);
  auto reqs = invoker_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].apiKey.value_or(""), controller_->auth());
}

TEST_F(Controller_, ActivationEndpoints) {
  ASSERT_EQ(putAction("a", "echo").status, 200);
  ASSERT_EQ(putAction("pkg/b", "error").status, 200);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = invoke(i == 1 ? "pkg/b" : "a", "blocking=true", R"({"i":)" + std::to_string(i) + "}");
    ids.emplace_back(r.body.at("activationId").as_string());
    clock_.advance(1000);
  }
  auto one = call("GET", "/api/v1/namespaces/_/activations/" + ids[0]);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body.at("response").at("result"), json::parse(R"({"i":0})"));
  auto result = call("GET", "/api/v1/namespaces/_/activations/" + ids[1] + "/result");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body.at("status"), "application error");
  EXPECT_EQ(result.body.at("success"), false);
  EXPECT_EQ(result.body.at("result"), json::parse(R"({"error":"boom"})"));
  EXPECT_FALSE(result.body.as_object().contains("statusCode"));
  auto logs = call("GET", "/api/v1/namespaces/_/activations/" + ids[0] + "/logs");
  EXPECT_EQ(logs.body.at("logs").as_array().size(), 1u);

  auto list = call("GET", "/api/v1/namespaces/_/activations");
  ASSERT_EQ(list.body.as_array().size(), 3u);
  EXPECT_EQ(list.body.at(0).at("activationId"), json::value(json::string(ids[2])));  // newest first
  EXPECT_EQ(list.body.at(2).at("activationId"), json::value(json::string(ids[0])));
  EXPECT_FALSE(list.body.at(0).as_object().contains("response"));
  EXPECT_FALSE(list.body.at(0).as_object().contains("logs"));
  EXPECT_EQ(list.body.at(1).at("statusCode"), 1);
  auto docs = call("GET", "/api/v1/namespaces/_/activations?docs=true&limit=1");
  ASSERT_EQ(docs.body.as_array().size(), 1u);
  EXPECT_TRUE(docs.body.at(0).as_object().contains("response"));
  auto byName = call("GET", "/api/v1/namespaces/_/activations?name=pkg/b");
  ASSERT_EQ(byName.body.as_array().size(), 1u);
  EXPECT_EQ(byName.body.at(0).at("activationId"), json::value(json::string(ids[1])));
  int64_t firstStart = one.body.at("start").as_int64();
  auto since = call("GET", "/api/v1/namespaces/_/activations?since=" + std::to_string(firstStart + 500));
  EXPECT_EQ(since.body.as_array().size(), 2u);
  auto upto = call("GET", "/api/v1/namespaces/_/activations?upto=" + std::to_string(firstStart + 500));
  EXPECT_EQ(upto.body.as_array().size(), 1u);
  auto skip = call("GET", "/api/v1/namespaces/_/activations?skip=1&limit=1");
  ASSERT_EQ(skip.body.as_array().size(), 1u);
  EXPECT_EQ(skip.body.at(0).at("activationId"), json::value(json::string(ids[1])));
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/activations?count=true").body,
            json::parse(R"({"activations":3})"));
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/activations?count=true&docs=true").error(),
            "The parameter 'docs' is not permitted with 'count'.");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/activations?since=yesterday").error(),
            "Parameter is not a valid value for epoch seconds: yesterday");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/activations?name=a$").status, 400);
  auto missing = call("GET", "/api/v1/namespaces/_/activations/" + std::string(32, '0'));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error(), "The requested resource does not exist.");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/activations/nothex").status, 400);
}

TEST_F(Controller_, RestartKeepsActionsActivationsAndCredentials) {
  ASSERT_EQ(putAction("keep", "echo").status, 200);
  auto r = invoke("keep", "blocking=true", R"({"x":1})");
  ASSERT_EQ(r.status, 200);
  std::string id(r.body.at("activationId").as_string());
  std::string auth = controller_->auth();
  restartController();
  EXPECT_EQ(controller_->auth(), auth);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/_/actions/keep").status, 200);
  auto got = call("GET", "/api/v1/namespaces/_/activations/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body.at("response").at("result"), json::parse(R"({"x":1})"));
  EXPECT_EQ(invoke("keep").status, 200);
}

}  // namespace
}  // namespace clemmys::controller::testing
