// Activation reads through the gateway: records, /result, /logs and lists are
// opened, and envelopes that do not belong to the record are refused.
#include "gateway/fake_controller_test_util.h"

namespace clemmys::gateway::testing {
namespace {

class ReadsTest : public GatewayFixture {
 protected:
  std::string invokeOnce(const std::string& name, const std::string& args) {
    auto r = call("POST", "/api/v1/namespaces/_/actions/" + name + "?blocking=true", args);
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(parse(r).at("activationId").as_string());
  }
};

TEST_F(ReadsTest, RecordResultAndLogsAreOpened) {
  putCode("f", "CODEFAAA");
  std::string id = invokeOnce("f", R"({"arg":"READ_SECRET"})");
  auto rec = parse(call("GET", "/api/v1/namespaces/_/activations/" + id));
  EXPECT_EQ(rec.at("response").at("result").at("arg"), "READ_SECRET");
  auto result = parse(call("GET", "/api/v1/namespaces/_/activations/" + id + "/result"));
  EXPECT_EQ(result.at("result").at("arg"), "READ_SECRET");
  EXPECT_EQ(result.at("success"), true);
  auto logs = parse(call("GET", "/api/v1/namespaces/_/activations/" + id + "/logs"));
  EXPECT_EQ(logs.at("logs").at(0), "2026-01-01T00:00:00.000Z stdout: hello from the function");
  auto missing = call("GET", "/api/v1/namespaces/_/activations/" + std::string(32, 'a'));
  EXPECT_EQ(missing.status, 404);
}

TEST_F(ReadsTest, SequenceComponentsOpenAgainstTheirCause) {
  putCode("a", "CODEAAAA");
  putCode("b", "CODEBAAA");
  ASSERT_EQ(call("PUT", "/api/v1/namespaces/_/actions/s", R"({"exec":{"kind":"sequence","components":["/_/a","/_/b"]}})").status, 200);
  std::string id = invokeOnce("s", R"({"arg":"SEQ_SECRET"})");
  auto rec = parse(call("GET", "/api/v1/namespaces/_/activations/" + id));
  ASSERT_EQ(rec.at("logs").as_array().size(), 2u);
  EXPECT_EQ(rec.at("response").at("result").at("step1"), "/guest/b");
  std::string first(rec.at("logs").at(0).as_string());
  auto comp = call("GET", "/api/v1/namespaces/_/activations/" + first);
  ASSERT_EQ(comp.status, 200) << comp.body;
  EXPECT_EQ(parse(comp).at("response").at("result").at("step0"), "/guest/a");
  EXPECT_EQ(parse(comp).at("logs").at(0), "2026-01-01T00:00:00.000Z stdout: log of /guest/a");

  // A component record whose cause was rewritten to an unrelated activation.
  putCode("f", "CODEFAAA");
  std::string unrelated = invokeOnce("f", "{}");
  auto forged = fake->record(first);
  forged["cause"] = unrelated;
  fake->putRecord(first, forged);
  auto r = call("GET", "/api/v1/namespaces/_/activations/" + first);
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("gateway.substituted_result"), std::string::npos) << r.body;
}

TEST_F(ReadsTest, SubstitutedRecordContentRefused) {
  putCode("f", "CODEFAAA");
  putCode("g", "CODEGAAA");
  std::string fId = invokeOnce("f", R"({"arg":"F"})");
  std::string gId = invokeOnce("g", R"({"arg":"G"})");
  // g's record shows f's result.
  auto g = fake->record(gId);
  g["response"] = fake->record(fId).at("response");
  fake->putRecord(gId, g);
  auto r = call("GET", "/api/v1/namespaces/_/activations/" + gId + "/result");
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("gateway.substituted_result"), std::string::npos) << r.body;
  // Record for the wrong id.
  fake->putRecord(gId, fake->record(fId));
  auto wrongId = call("GET", "/api/v1/namespaces/_/activations/" + gId);
  EXPECT_EQ(wrongId.status, 502);
  EXPECT_NE(wrongId.body.find("gateway.substituted_result"), std::string::npos) << wrongId.body;
}

TEST_F(ReadsTest, SplicedLogLineRefused) {
  putCode("f", "CODEFAAA");
  std::string a = invokeOnce("f", "{}");
  std::string b = invokeOnce("f", "{}");
  auto rb = fake->record(b);
  rb["logs"] = fake->record(a).at("logs");
  fake->putRecord(b, rb);
  auto r = call("GET", "/api/v1/namespaces/_/activations/" + b + "/logs");
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.body.find("gateway.substituted_log"), std::string::npos) << r.body;
}

TEST_F(ReadsTest, LogLinesCutOrRepeatedAreRefused) {
  putCode("f", "CODEFAAA");
  std::string id = invokeOnce("f", "{}");
  auto original = fake->record(id);
  auto withLogs = [&](json::array logs) {
    auto rec = original;
    rec["logs"] = std::move(logs);
    fake->putRecord(id, rec);
    return call("GET", "/api/v1/namespaces/_/activations/" + id + "/logs");
  };
  const auto& line = original.at("logs").at(0);
  auto cut = withLogs(json::array{});
  EXPECT_EQ(cut.status, 502);
  EXPECT_NE(cut.body.find("gateway.log_truncated"), std::string::npos) << cut.body;
  auto repeated = withLogs(json::array{line, line});
  EXPECT_EQ(repeated.status, 502);
  EXPECT_NE(repeated.body.find("gateway.log_reordered"), std::string::npos) << repeated.body;
  EXPECT_EQ(withLogs(json::array{line}).status, 200);
}

// A plaintext error is the platform's, never the function's "application error".
TEST_F(ReadsTest, PlaintextErrorIsMarkedAsThePlatforms) {
  putCode("f", "CODEFAAA");
  std::string id = invokeOnce("f", "{}");
  auto rec = fake->record(id);
  rec["response"] = json::object{{"status", "application error"}, {"statusCode", 1}, {"success", false},
                                 {"result", json::object{{"error", "forged by the controller"}}}};
  rec["logs"] = json::array{};
  fake->putRecord(id, rec);
  auto r = call("GET", "/api/v1/namespaces/_/activations/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  auto response = parse(r).at("response");
  EXPECT_EQ(response.at("status"), "whisk internal error");
  EXPECT_EQ(response.at("result").at("error"), "gateway.platform_error: forged by the controller");
  // A platform status of OpenWhisk's own (a timeout) stays, the text is marked.
  rec["response"].as_object()["status"] = "action developer error";
  fake->putRecord(id, rec);
  auto timeout = parse(call("GET", "/api/v1/namespaces/_/activations/" + id)).at("response");
  EXPECT_EQ(timeout.at("status"), "action developer error");
  EXPECT_EQ(timeout.at("result").at("error"), "gateway.platform_error: forged by the controller");
}

}  // namespace
}  // namespace clemmys::gateway::testing
