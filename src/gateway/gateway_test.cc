// Gateway translation tests against a fake controller with emulated secure
// runtimes: sealing on PUT, opening on GET and invoke, G-check refusals, auth
// and the plaintext body limit.
#include "gateway/fake_controller_test_util.h"

#include "envelope/defaults.h"
#include "gateway/action_codec.h"

namespace clemmys::gateway::testing {
namespace {

TEST_F(GatewayFixture, PutSealsCodeParamsAndDescriptor) {
  auto r = call("PUT", "/api/v1/namespaces/_/actions/hello",
                R"({"exec":{"kind":"python:3","code":"def main(a): return {'x': 'CODE_SECRET'}"},)"
                R"("parameters":[{"key":"token","value":"PARAM_SECRET"},{"key":"dsn","value":"INIT_SECRET","init":true}],)"
                R"("annotations":[{"key":"web","value":false},{"key":"clemmys-descriptor","value":"forged"}],)"
                R"("limits":{"timeout":3000}})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string seen = fake->everything();
  EXPECT_EQ(seen.find("CODE_SECRET"), std::string::npos);
  EXPECT_EQ(seen.find("PARAM_SECRET"), std::string::npos);
  EXPECT_EQ(seen.find("INIT_SECRET"), std::string::npos);
  EXPECT_EQ(seen.find("forged"), std::string::npos);

  auto stored = fake->action("hello");
  EXPECT_EQ(stored.at("exec").at("binary"), false);
  EXPECT_EQ(stored.at("limits").at("timeout"), 3000);
  auto code = openObject(envelope::Type::code, "/guest/hello", stored.at("exec").at("code").as_string(), keys);
  ASSERT_TRUE(code) << code.error().str();
  EXPECT_NE(code->find("CODE_SECRET"), std::string::npos);
  EXPECT_EQ(stored.at("parameters").as_array().size(), 1u);
  EXPECT_EQ(stored.at("parameters").at(0).at("key"), "clemmys-params");
  auto d = descriptorOf(stored, keys);
  ASSERT_TRUE(d) << d.error().str();
  EXPECT_EQ(d->fqn, "/guest/hello");
  EXPECT_EQ(d->codeDigest, envelope::codeDigest("python:3", "main", "def main(a): return {'x': 'CODE_SECRET'}"));

  // The reply, and a GET, are the plaintext action.
  for (auto& doc : {parse(r), parse(call("GET", "/api/v1/namespaces/_/actions/hello"))}) {
    EXPECT_EQ(doc.at("exec").at("code"), "def main(a): return {'x': 'CODE_SECRET'}");
    EXPECT_EQ(doc.at("exec").at("kind"), "python:3");
    auto params = doc.at("parameters").as_array();
    ASSERT_EQ(params.size(), 2u);
    EXPECT_EQ(json::serialize(doc).find("clemmys-descriptor"), std::string::npos);
    bool sawInit = false;
    for (auto& p : params)
      if (p.at("key") == "dsn") sawInit = p.as_object().contains("init") && p.at("init") == true;
    EXPECT_TRUE(sawInit);
  }
}

TEST_F(GatewayFixture, ParamsOnlyUpdateReseals) {
  putCode("upd", "CODEAAAA");
  auto r = call("PUT", "/api/v1/namespaces/_/actions/upd?overwrite=true",
                R"({"parameters":[{"key":"k","value":"NEW_PARAM_SECRET"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake->everything().find("NEW_PARAM_SECRET"), std::string::npos);
  auto doc = parse(call("GET", "/api/v1/namespaces/_/actions/upd"));
  EXPECT_EQ(doc.at("exec").at("code"), "CODEAAAA");
  EXPECT_EQ(doc.at("parameters").at(0).at("value"), "NEW_PARAM_SECRET");
  // Params-only create of a missing action: refused, params never forwarded.
  auto missing = call("PUT", "/api/v1/namespaces/_/actions/nope?overwrite=true",
                      R"({"parameters":[{"key":"k","value":"LOST_SECRET"}]})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(fake->everything().find("LOST_SECRET"), std::string::npos);
}

// The stored CODE binds the stored PARAMS (doc/formats/envelope.md D1–D3); a
// defaults-only update re-seals the CODE, and reads refuse a mismatched pair.
TEST_F(GatewayFixture, DefaultsStayBoundToTheirCode) {
  putCode("bound", "CODEBAAA");
  auto v1 = fake->action("bound");
  auto binding = [&](const json::object& doc) {
    auto opened = openSealed(envelope::Type::code, "/guest/bound", doc.at("exec").at("code").as_string(), keys);
    EXPECT_TRUE(opened) << opened.error().str();
    return opened ? opened->header.chainId : envelope::Digest{};
  };
  auto paramsBytes = [](const json::object& doc) {
    return *envelope::fromWire(doc.at("parameters").at(0).at("value").as_string());
  };
  EXPECT_EQ(binding(v1), envelope::defaultsBinding(paramsBytes(v1)));
  ASSERT_EQ(call("PUT", "/api/v1/namespaces/_/actions/bound?overwrite=true",
                 R"({"parameters":[{"key":"k","value":"v2"}]})").status, 200);
  auto v2 = fake->action("bound");
  EXPECT_EQ(binding(v2), envelope::defaultsBinding(paramsBytes(v2)));
  EXPECT_NE(binding(v2), binding(v1));

  auto rolledBack = v2;
  rolledBack["parameters"] = v1.at("parameters");
  fake->putAction("bound", rolledBack);
  auto r = call("GET", "/api/v1/namespaces/_/actions/bound");
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("gateway.defaults_substituted"), std::string::npos) << r.body;
  auto dropped = v2;
  dropped["parameters"] = json::array{};
  fake->putAction("bound", dropped);
  r = call("GET", "/api/v1/namespaces/_/actions/bound");
  EXPECT_NE(r.body.find("gateway.defaults_dropped"), std::string::npos) << r.body;
}

TEST_F(GatewayFixture, ValidatesLikeTheController) {
  EXPECT_EQ(call("PUT", "/api/v1/namespaces/_/actions/x", "{not json").status, 400);
  auto kind = call("PUT", "/api/v1/namespaces/_/actions/x", R"({"exec":{"kind":"cobol","code":"x"}})");
  EXPECT_EQ(kind.status, 400);
  EXPECT_NE(kind.body.find("not supported"), std::string::npos);
  EXPECT_EQ(call("PUT", "/api/v1/namespaces/_/actions/x", R"({"exec":{"kind":"cpp"}})").status, 400);
  auto cpp = call("PUT", "/api/v1/namespaces/_/actions/x", R"({"exec":{"kind":"cpp","code":"not base64!"}})");
  EXPECT_EQ(cpp.status, 400);
  EXPECT_NE(cpp.body.find("base64 of a shared library"), std::string::npos) << cpp.body;
  EXPECT_EQ(call("POST", "/api/v1/namespaces/_/actions/x?blocking=true", "[1,2]").status, 400);
  // Controller errors pass through unchanged.
  auto notFound = call("POST", "/api/v1/namespaces/_/actions/absent?blocking=true", "{}");
  EXPECT_EQ(notFound.status, 404);
  EXPECT_NE(notFound.body.find("does not exist"), std::string::npos);
}

TEST_F(GatewayFixture, InvokeSealsArgumentsAndOpensResultAndLogs) {
  putCode("hello", "CODEHAAA");
  auto r = call("POST", "/api/v1/namespaces/_/actions/hello?blocking=true", R"({"arg":"ARG_SECRET"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake->everything().find("ARG_SECRET"), std::string::npos);
  auto rec = parse(r);
  EXPECT_EQ(rec.at("response").at("result").at("arg"), "ARG_SECRET");
  EXPECT_EQ(rec.at("response").at("result").at("step0"), "/guest/hello");
  EXPECT_EQ(rec.at("logs").at(0), "2026-01-01T00:00:00.000Z stdout: hello from the function");
  EXPECT_EQ(r.header("x-openwhisk-activation-id").value_or(""), rec.at("activationId").as_string());

  auto only = call("POST", "/api/v1/namespaces/_/actions/hello?blocking=true&result=true", R"({"arg":"A2"})");
  ASSERT_EQ(only.status, 200) << only.body;
  EXPECT_EQ(parse(only).at("arg"), "A2");
}

TEST_F(GatewayFixture, SequenceChainResolvedFromDescriptors) {
  putCode("a", "CODEAAAA");
  putCode("b", "CODEBAAA");
  ASSERT_EQ(call("PUT", "/api/v1/namespaces/_/actions/inner", R"({"exec":{"kind":"sequence","components":["/_/a","/_/b"]}})").status, 200);
  ASSERT_EQ(call("PUT", "/api/v1/namespaces/_/actions/outer", R"({"exec":{"kind":"sequence","components":["/_/inner","/guest/a"]}})").status, 200);
  auto r = call("POST", "/api/v1/namespaces/_/actions/outer?blocking=true&result=true", R"({"arg":"S"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = parse(r);
  EXPECT_EQ(v.at("step0"), "/guest/a");
  EXPECT_EQ(v.at("step1"), "/guest/b");
  EXPECT_EQ(v.at("step2"), "/guest/a");
  auto self = call("PUT", "/api/v1/namespaces/_/actions/inner?overwrite=true",
                   R"({"exec":{"kind":"sequence","components":["/_/outer"]}})");
  ASSERT_EQ(self.status, 200);  // the controller would refuse; our fake does not
  auto cyc = call("POST", "/api/v1/namespaces/_/actions/outer?blocking=true", "{}");
  EXPECT_EQ(cyc.status, 502);
  EXPECT_NE(cyc.body.find("gateway.sequence_cycle"), std::string::npos) << cyc.body;
}

TEST_F(GatewayFixture, ApplicationErrorIsOpened) {
  putCode("bad", "CODEBADA");
  fake->failFunction = true;
  auto r = call("POST", "/api/v1/namespaces/_/actions/bad?blocking=true", R"({"secret":"ERR_SECRET"})");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(parse(r).at("response").at("result").at("error"), "failed on ERR_SECRET");
  EXPECT_EQ(fake->everything().find("ERR_SECRET"), std::string::npos);
}

std::string flipByte(const std::string& wire) {
  auto raw = *base64UrlDecode(wire);
  raw[raw.size() - 20] ^= 1;
  return base64UrlEncode(raw);
}

TEST_F(GatewayFixture, FlippedByteRefused) {
  putCode("f", "CODEFAAA");
  fake->tamper = [](json::object& rec) {
    auto& c = rec["response"].as_object()["result"].as_object()["clemmys"];
    c = flipByte(std::string(c.as_string()));
  };
  auto r = call("POST", "/api/v1/namespaces/_/actions/f?blocking=true", "{}");
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("envelope.auth_failed"), std::string::npos) << r.body;
}

TEST_F(GatewayFixture, TruncatedChainRefused) {
  putCode("a", "CODEAAAA");
  putCode("b", "CODEBAAA");
  ASSERT_EQ(call("PUT", "/api/v1/namespaces/_/actions/s", R"({"exec":{"kind":"sequence","components":["/_/a","/_/b"]}})").status, 200);
  // The controller stops after step 0 and returns its output as the result.
  fake->tamper = [this](json::object& rec) {
    std::string firstComponent(rec.at("logs").at(0).as_string());
    rec["response"] = fake->record(firstComponent).at("response");
  };
  auto r = call("POST", "/api/v1/namespaces/_/actions/s?blocking=true", "{}");
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("gateway.not_an_outcome"), std::string::npos) << r.body;
}

TEST_F(GatewayFixture, ReplayedOrDuplicateOutcomeRefused) {
  putCode("f", "CODEFAAA");
  auto first = call("POST", "/api/v1/namespaces/_/actions/f?blocking=true", R"({"n":1})");
  ASSERT_EQ(first.status, 200);
  auto old = fake->record(std::string(parse(first).at("activationId").as_string()));
  // The controller answers a later invoke with the earlier, already settled outcome.
  fake->tamper = [&](json::object& rec) { rec["response"] = old.at("response"); };
  auto r = call("POST", "/api/v1/namespaces/_/actions/f?blocking=true", R"({"n":2})");
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("gateway.unknown_activation"), std::string::npos) << r.body;
  // Same, as a whole substituted record (activation id of the old one).
  fake->tamper = [&](json::object& rec) { rec = old; };
  auto s = call("POST", "/api/v1/namespaces/_/actions/f?blocking=true", R"({"n":3})");
  EXPECT_EQ(s.status, 502);
  EXPECT_NE(s.body.find("gateway.substituted_result"), std::string::npos) << s.body;
}

TEST_F(GatewayFixture, SubstitutedResultOfAnotherActionRefused) {
  putCode("f", "CODEFAAA");
  putCode("g", "CODEGAAA");
  auto other = call("POST", "/api/v1/namespaces/_/actions/g?blocking=true", "{}");
  ASSERT_EQ(other.status, 200);
  auto gRecord = fake->record(std::string(parse(other).at("activationId").as_string()));
  fake->tamper = [&](json::object& rec) { rec["response"] = gRecord.at("response"); };
  auto r = call("POST", "/api/v1/namespaces/_/actions/f?blocking=true", "{}");
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("gateway."), std::string::npos) << r.body;
  // A plaintext "success" made up by the controller.
  fake->tamper = [](json::object& rec) { rec["response"].as_object()["result"] = json::object{{"forged", true}}; };
  auto p = call("POST", "/api/v1/namespaces/_/actions/f?blocking=true", "{}");
  EXPECT_EQ(p.status, 502);
  EXPECT_NE(p.body.find("gateway.unsealed_result"), std::string::npos) << p.body;
}

TEST_F(GatewayFixture, UnauthorizedIs401) {
  for (const char* auth : {static_cast<const char*>(nullptr), "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:wrong"}) {
    auto r = call("GET", "/api/v1/namespaces/_/actions", "", auth);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.header("WWW-Authenticate").value_or(""), "Basic realm=\"OpenWhisk secure realm\"");
    EXPECT_EQ(parse(r).at("error"), "The supplied authentication is invalid");
  }
  EXPECT_TRUE(fake->bodies().empty());
}

TEST_F(GatewayFixture, OverOneMiBIs413) {
  std::string big = R"({"a":")" + std::string(kMaxPlaintextBody, 'x') + R"("})";
  auto r = call("POST", "/api/v1/namespaces/_/actions/f?blocking=true", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(parse(r).at("error").as_string().find("Request larger than allowed"), std::string::npos);
}

TEST_F(GatewayFixture, HealthNeedsNoAuthAndSaysWhetherTheControllerAnswers) {
  auto r = call("GET", "/health", "", nullptr);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"gateway":"ok","controller":"ok"})");
  fake->apiDown = true;
  r = call("GET", "/health", "", nullptr);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.body, R"({"gateway":"ok","controller":"unreachable"})");
}

}  // namespace
}  // namespace clemmys::gateway::testing
