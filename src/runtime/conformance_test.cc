// Conformance tests of clemmys-runtime against the OpenWhisk action-proxy contract, a
// port of OpenWhisk's BasicActionRunnerTests, run for every kind against the real
// binary (see runtime_harness.h).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/subprocess.h"
#include "runtime/action_proxy.h"
#include "runtime/code_files.h"
#include "runtime/runtime_harness.h"

namespace clemmys::runtime {
namespace {

namespace json = boost::json;
using testing::RuntimeProcess;
using testing::readFileBytes;

const std::string kTestdata = CLEMMYS_RUNTIME_TESTDATA;
const std::string kApiHost = "http://api.example:3233";

struct KindCase {
  std::string label;
  std::string kind;  // value.kind; empty: let the runtime infer it
  std::string code;
  bool binary = false;
  bool isProcess = true;  // ActionLoop (a child process), not in-process cpp
  std::string prestart;   // non-empty: POST /prestart {"kind": prestart} before anything else
};

// Builds a zip holding the blackbox script as `exec`.
std::string blackboxZip() {
  auto dir = TempDir::create();
  std::filesystem::copy_file(kTestdata + "/blackbox_exec", dir->path() + "/exec");
  SpawnOptions o;
  o.argv = {*findExecutable("zip"), "-q", "action.zip", "exec"};
  o.cwd = dir->path();
  auto child = spawn(o);
  if (!child || child->wait() != 0) return {};
  return readFileBytes(dir->path() + "/action.zip");
}

std::vector<KindCase> kindCases() {
  return {
      {"cpp", "cpp", base64Encode(readFileBytes(CLEMMYS_RUNTIME_TEST_LIB)), true, false},
      {"python", "python:3", readFileBytes(kTestdata + "/functions.py"), false, true},
      {"nodejs", "nodejs:20", readFileBytes(kTestdata + "/functions.js"), false, true},
      {"blackbox", "blackbox", readFileBytes(kTestdata + "/blackbox_exec"), false, true},
      {"blackbox_zip", "", base64Encode(blackboxZip()), true, true},
      // A pre-started launcher must change nothing but speed (doc/formats/runtime-protocol.md):
      // used for its own kind, killed and replaced by a fresh start for any other.
      {"python_prestarted", "python:3", readFileBytes(kTestdata + "/functions.py"), false, true, "python:3"},
      {"nodejs_prestarted", "nodejs:20", readFileBytes(kTestdata + "/functions.js"), false, true, "nodejs:20"},
      {"python_after_nodejs_prestart", "python:3", readFileBytes(kTestdata + "/functions.py"), false, true,
       "nodejs:20"},
      {"cpp_after_python_prestart", "cpp", base64Encode(readFileBytes(CLEMMYS_RUNTIME_TEST_LIB)), true, false,
       "python:3"},
      {"blackbox_after_python_prestart", "blackbox", readFileBytes(kTestdata + "/blackbox_exec"), false, true,
       "python:3"},
  };
}

std::string initBody(const KindCase& k, const std::string& main, json::object env = {}) {
  json::object value{{"name", "test"}, {"main", main}, {"code", k.code}, {"binary", k.binary},
                     {"env", std::move(env)}};
  if (!k.kind.empty()) value["kind"] = k.kind;
  return json::serialize(json::object{{"value", std::move(value)}});
}

std::string runBody(json::value value) {
  return json::serialize(json::object{{"value", std::move(value)}});
}

json::value parse(const std::string& s) { return json::parse(s); }

class Conformance : public ::testing::TestWithParam<KindCase> {
 protected:
  void SetUp() override {
    auto p = RuntimeProcess::start(CLEMMYS_RUNTIME_BIN, {}, {{"__OW_API_HOST", kApiHost}});
    ASSERT_TRUE(p) << p.error().str();
    rt_ = std::move(*p);
    if (!GetParam().prestart.empty()) {
      auto r = post("/prestart", json::serialize(json::object{{"kind", GetParam().prestart}}));
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  void TearDown() override { rt_.reset(); }

  http::Response post(const std::string& path, const std::string& body) {
    auto r = rt_->post(path, body);
    EXPECT_TRUE(r) << r.error().str();
    return r ? *r : http::Response{0, {}, {}};
  }
  void initOk(const std::string& main, json::object env = {}) {
    auto r = post("/init", initBody(GetParam(), main, std::move(env)));
    ASSERT_EQ(r.status, 200) << r.body << "\nstderr: " << rt_->err();
  }
  // Waits for exactly `n` sentinels on both streams.
  void expectSentinels(size_t n) {
    EXPECT_TRUE(rt_->waitForSentinels(n)) << "stdout: " << rt_->out() << "\nstderr: " << rt_->err();
    auto [out, err] = rt_->sentinels();
    EXPECT_EQ(out, n);
    EXPECT_EQ(err, n);
  }

  std::unique_ptr<RuntimeProcess> rt_;
};

TEST_P(Conformance, NoCodeIsRejected) {
  json::object value{{"name", "test"}, {"main", "main"}, {"code", ""}};
  if (!GetParam().kind.empty()) value["kind"] = GetParam().kind;
  auto r = post("/init", json::serialize(json::object{{"value", value}}));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(parse(r.body), parse(R"({"error":"Missing main/no code to execute."})"));
  expectSentinels(1);  // a failed /init ends with the sentinels too
}

TEST_P(Conformance, EmptyInitBodyIsRejected) {
  auto r = post("/init", "{}");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(parse(r.body), parse(R"({"error":"Missing main/no code to execute."})"));
}

TEST_P(Conformance, SecondInitIsRejected) {
  initOk("main");
  auto r = post("/init", initBody(GetParam(), "main"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(parse(r.body), parse(R"({"error":"Cannot initialize the action more than once."})"));
  // The first action still runs.
  auto run = post("/run", runBody(json::object{{"still", "here"}}));
  EXPECT_EQ(run.status, 200);
  EXPECT_EQ(parse(run.body), parse(R"({"still":"here"})"));
}

TEST_P(Conformance, RunBeforeInitFails) {
  auto r = post("/run", runBody(json::object{}));
  EXPECT_GE(r.status, 400);
  EXPECT_TRUE(parse(r.body).as_object().contains("error")) << r.body;
  expectSentinels(1);
}

TEST_P(Conformance, ResultThatIsNotADictionaryIsRejected) {
  initOk("not_dict");
  auto r = post("/run", runBody(json::object{}));
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(parse(r.body),
            parse(R"({"error":"The action did not return a dictionary or array."})"));
  expectSentinels(1);
}

TEST_P(Conformance, NonMainEntryPoint) {
  initOk("niam");
  auto r = post("/run", runBody(json::object{}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(parse(r.body), parse(R"({"greeting":"niam"})"));
}

TEST_P(Conformance, UnicodeEchoWithOneSentinelPair) {
  initOk("main");
  auto r = post("/run", runBody(json::object{{"delimiter", "\u2744"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body), parse("{\"winter\":\"\u2744 \u2603 \u2744\"}"));
  expectSentinels(1);
  std::string winterLine = "\u2744 \u2603 \u2744\n" + std::string(kSentinel) + "\n";
  EXPECT_NE(rt_->out().find(winterLine), std::string::npos) << rt_->out();
  EXPECT_NE(rt_->err().find(winterLine), std::string::npos) << rt_->err();
}

TEST_P(Conformance, ObjectEchoLogsPrecedeSentinels) {
  initOk("main");
  for (int i = 0; i < 3; ++i) {
    json::object input{{"i", i}, {"nested", json::object{{"a", json::array{1, 2, "x"}}}}};
    auto r = post("/run", runBody(input));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parse(r.body), json::value(input));
    expectSentinels(static_cast<size_t>(i) + 1);
  }
  std::string block = "hello stdout\n" + std::string(kSentinel) + "\n";
  std::string out = rt_->out();
  EXPECT_EQ(out, block + block + block);
  std::string errBlock = "hello stderr\n" + std::string(kSentinel) + "\n";
  EXPECT_EQ(rt_->err(), errBlock + errBlock + errBlock);
}

TEST_P(Conformance, InitEnvIsVisibleAtRun) {
  initOk("env", json::object{{"SOME_VAR", "xyz"}, {"ANOTHER_VAR", "zyx"}});
  auto r = post("/run", runBody(json::object{}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = parse(r.body).as_object();
  EXPECT_EQ(result["SOME_VAR"], "xyz");
  EXPECT_EQ(result["ANOTHER_VAR"], "zyx");
}

TEST_P(Conformance, AllContextVariables) {
  initOk("env");
  json::object body{{"value", json::object{}},
                    {"namespace", "guest"},
                    {"action_name", "/guest/pkg/act"},
                    {"action_version", "0.0.7"},
                    {"activation_id", "0123456789abcdef0123456789abcdef"},
                    {"transaction_id", "tid-42"},
                    {"deadline", "4102444800000"},
                    {"api_key", "uuid:secret"}};
  auto r = post("/run", json::serialize(body));
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = parse(r.body).as_object();
  EXPECT_EQ(result["__OW_API_HOST"], kApiHost.c_str());
  EXPECT_EQ(result["__OW_NAMESPACE"], "guest");
  EXPECT_EQ(result["__OW_ACTION_NAME"], "/guest/pkg/act");
  EXPECT_EQ(result["__OW_ACTION_VERSION"], "0.0.7");
  EXPECT_EQ(result["__OW_ACTIVATION_ID"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(result["__OW_TRANSACTION_ID"], "tid-42");
  EXPECT_EQ(result["__OW_DEADLINE"], "4102444800000");
  EXPECT_EQ(result["__OW_API_KEY"], "uuid:secret");
  if (GetParam().label.starts_with("cpp")) {
    EXPECT_EQ(result["ctx_activation_id"], "0123456789abcdef0123456789abcdef");
    EXPECT_EQ(result["ctx_action_name"], "/guest/pkg/act");
    EXPECT_EQ(result["ctx_deadline"], "4102444800000");
    EXPECT_EQ(result["ctx_api_key"], "uuid:secret");
  }

  // The next activation without an api key must not see the previous one's.
  if (GetParam().label.starts_with("blackbox")) return;  // the test executable is naive
  body.erase("api_key");
  body["activation_id"] = "ffffffffffffffffffffffffffffffff";
  r = post("/run", json::serialize(body));
  ASSERT_EQ(r.status, 200) << r.body;
  result = parse(r.body).as_object();
  EXPECT_FALSE(result.contains("__OW_API_KEY")) << r.body;
  EXPECT_EQ(result["__OW_ACTIVATION_ID"], "ffffffffffffffffffffffffffffffff");
}

TEST_P(Conformance, LargeInputIsEchoed) {
  initOk("main");
  json::object input{{"big", std::string(1 << 20, 'x')}, {"tail", "\u2603"}};
  auto r = post("/run", runBody(input));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 200);
  EXPECT_EQ(parse(r.body), json::value(input));
  expectSentinels(1);
}

TEST_P(Conformance, MultilineRunBodyIsAccepted) {
  initOk("main");
  auto r = post("/run", "{\n  \"value\": {\"a\": \"line\\nbreak\"}\n}\n");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body), parse(R"({"a":"line\nbreak"})"));
}

INSTANTIATE_TEST_SUITE_P(Kinds, Conformance, ::testing::ValuesIn(kindCases()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace clemmys::runtime
