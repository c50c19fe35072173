// Kind-specific behaviour of clemmys-runtime beyond the shared conformance cases:
// init failures, thrown errors, dead processes, deadlines, kind inference, archives,
// and a warm cpp latency figure (printed, not asserted).
#include <fcntl.h>
#include <sys/wait.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
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

std::unique_ptr<RuntimeProcess> startRuntime(std::vector<std::string> args = {}) {
  auto p = RuntimeProcess::start(CLEMMYS_RUNTIME_BIN, std::move(args));
  EXPECT_TRUE(p) << p.error().str();
  return p ? std::move(*p) : nullptr;
}

std::string initBody(std::string_view kind, std::string_view code, std::string_view main,
                     bool binary = false, json::object env = {}) {
  json::object value{{"name", "t"}, {"main", main}, {"code", code}, {"binary", binary},
                     {"env", std::move(env)}};
  if (!kind.empty()) value["kind"] = kind;
  return json::serialize(json::object{{"value", value}});
}

http::Response post(RuntimeProcess& rt, const std::string& path, const std::string& body) {
  auto r = rt.post(path, body);
  EXPECT_TRUE(r) << r.error().str();
  return r ? *r : http::Response{0, {}, {}};
}

std::string errorOf(const http::Response& r) {
  auto v = json::parse(r.body);
  return std::string(v.as_object().at("error").as_string());
}

std::string packZip(const std::vector<std::pair<std::string, std::string>>& files) {
  auto dir = TempDir::create();
  std::vector<std::string> argv = {*findExecutable("zip"), "-q", "-r", "a.zip"};
  for (const auto& [name, content] : files) {
    EXPECT_TRUE(writeFile(dir->path() + "/" + name, content, 0600));
    argv.push_back(name);
  }
  SpawnOptions o;
  o.argv = argv;
  o.cwd = dir->path();
  auto child = spawn(o);
  EXPECT_TRUE(child && child->wait() == 0);
  return readFileBytes(dir->path() + "/a.zip");
}

const std::string kPython = readFileBytes(kTestdata + "/functions.py");
const std::string kNode = readFileBytes(kTestdata + "/functions.js");

TEST(RuntimeErrors, PythonSyntaxErrorFailsInit) {
  auto rt = startRuntime();
  auto r = post(*rt, "/init", initBody("python:3", "def main(args):\n  return {", "main"));
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(errorOf(r).find("SyntaxError"), std::string::npos) << r.body;
  EXPECT_TRUE(rt->waitForSentinels(1));
}

TEST(RuntimeErrors, NodeSyntaxErrorFailsInit) {
  auto rt = startRuntime();
  auto r = post(*rt, "/init", initBody("nodejs:20", "function main( {", "main"));
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(errorOf(r).find("Initialization failed"), std::string::npos) << r.body;
}

TEST(RuntimeErrors, MissingEntryPointFailsInit) {
  for (auto [kind, code] : {std::pair{"python:3", kPython}, std::pair{"nodejs:20", kNode}}) {
    auto rt = startRuntime();
    auto r = post(*rt, "/init", initBody(kind, code, "nonexistent"));
    EXPECT_EQ(r.status, 502) << kind;
    EXPECT_NE(errorOf(r).find("nonexistent"), std::string::npos) << r.body;
  }
  auto rt = startRuntime();
  std::string lib = base64Encode(readFileBytes(CLEMMYS_RUNTIME_TEST_LIB));
  auto r = post(*rt, "/init", initBody("cpp", lib, "nonexistent", true));
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(errorOf(r).find("'nonexistent' was not found"), std::string::npos) << r.body;
}

TEST(RuntimeErrors, ThrownErrorsBecomeErrorResults) {
  for (auto [kind, code] : {std::pair{"python:3", kPython}, std::pair{"nodejs:20", kNode}}) {
    auto rt = startRuntime();
    ASSERT_EQ(post(*rt, "/init", initBody(kind, code, "raise_error")).status, 200);
    auto r = post(*rt, "/run", R"({"value":{}})");
    EXPECT_EQ(r.status, 200) << kind;
    EXPECT_EQ(json::parse(r.body), json::parse(R"({"error":"nope"})")) << kind;
    // The launcher survives and serves the next activation.
    EXPECT_EQ(post(*rt, "/run", R"({"value":{}})").status, 200) << kind;
  }
}

TEST(RuntimeErrors, DeadProcessIsADeveloperError) {
  std::string blackbox = readFileBytes(kTestdata + "/blackbox_exec");
  for (auto [kind, code] : {std::pair{"python:3", kPython}, std::pair{"nodejs:20", kNode},
                            std::pair{"blackbox", blackbox}}) {
    auto rt = startRuntime();
    ASSERT_EQ(post(*rt, "/init", initBody(kind, code, "crash")).status, 200) << kind;
    for (int i = 0; i < 2; ++i) {
      auto r = post(*rt, "/run", R"({"value":{}})");
      EXPECT_EQ(r.status, 502) << kind;
      EXPECT_EQ(errorOf(r), "command exited") << kind;
    }
    EXPECT_TRUE(rt->waitForSentinels(2)) << kind;
  }
}

TEST(RuntimeErrors, DeadlineStopsASlowActivation) {
  SystemClock clock;
  auto rt = startRuntime();
  ASSERT_EQ(post(*rt, "/init", initBody("python:3", kPython, "sleep")).status, 200);
  json::object body{{"value", json::object{{"seconds", 30}}},
                    {"deadline", std::to_string(clock.nowMs() + 300)}};
  auto start = std::chrono::steady_clock::now();
  auto r = post(*rt, "/run", json::serialize(body));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(errorOf(r), "The action exceeded its deadline.");
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST(RuntimeErrors, CppStatusAndMissingResult) {
  std::string lib = base64Encode(readFileBytes(CLEMMYS_RUNTIME_TEST_LIB));
  {
    auto rt = startRuntime();
    ASSERT_EQ(post(*rt, "/init", initBody("cpp", lib, "fail_status", true)).status, 200);
    auto r = post(*rt, "/run", R"({"value":{}})");
    EXPECT_EQ(r.status, 502);
    EXPECT_EQ(errorOf(r), "The action returned the error status 7.");
  }
  {
    auto rt = startRuntime();
    ASSERT_EQ(post(*rt, "/init", initBody("cpp", lib, "no_result", true)).status, 200);
    auto r = post(*rt, "/run", R"({"value":{}})");
    EXPECT_EQ(r.status, 502);
    EXPECT_EQ(errorOf(r), "The action did not set a result.");
  }
  {
    auto rt = startRuntime();
    auto r = post(*rt, "/init", initBody("cpp", base64Encode("not an elf"), "main", true));
    EXPECT_EQ(r.status, 502);
    EXPECT_NE(errorOf(r).find("ELF"), std::string::npos) << r.body;
  }
}

TEST(RuntimeErrors, KindInference) {
  {
    // No value.kind: an ELF library is a cpp action.
    auto rt = startRuntime();
    std::string lib = base64Encode(readFileBytes(CLEMMYS_RUNTIME_TEST_LIB));
    ASSERT_EQ(post(*rt, "/init", initBody("", lib, "niam", true)).status, 200);
    EXPECT_EQ(json::parse(post(*rt, "/run", "{}").body), json::parse(R"({"greeting":"niam"})"));
  }
  {
    // --kind supplies the kind for plain source.
    auto rt = startRuntime({"--kind", "python:3"});
    ASSERT_EQ(post(*rt, "/init", initBody("", kPython, "niam")).status, 200);
    EXPECT_EQ(json::parse(post(*rt, "/run", "{}").body), json::parse(R"({"greeting":"niam"})"));
  }
  {
    auto rt = startRuntime();
    auto r = post(*rt, "/init", initBody("", kPython, "main"));
    EXPECT_EQ(r.status, 502);
    EXPECT_NE(errorOf(r).find("cannot infer"), std::string::npos) << r.body;
  }
  {
    auto rt = startRuntime();
    auto r = post(*rt, "/init", initBody("java:8", "class A {}", "main"));
    EXPECT_EQ(r.status, 502);
    EXPECT_NE(errorOf(r).find("not supported"), std::string::npos) << r.body;
  }
}

TEST(RuntimeErrors, ZippedPythonAndNodeActions) {
  {
    std::string zip = packZip({{"__main__.py", "from helper import greet\n"
                                               "def main(args):\n    return greet(args)\n"},
                               {"helper.py", "def greet(a):\n    return {'hi': a.get('n')}\n"}});
    auto rt = startRuntime();
    auto init = post(*rt, "/init", initBody("python:3", base64Encode(zip), "main", true));
    ASSERT_EQ(init.status, 200) << init.body;
    EXPECT_EQ(json::parse(post(*rt, "/run", R"({"value":{"n":3}})").body),
              json::parse(R"({"hi":3})"));
  }
  {
    std::string zip = packZip(
        {{"package.json", R"({"name":"a","main":"lib.js"})"},
         {"lib.js", "const h = require('./helper.js');\n"
                    "exports.main = (a) => ({ hi: h(a.n) });\n"},
         {"helper.js", "module.exports = (n) => n * 2;\n"}});
    auto rt = startRuntime();
    auto init = post(*rt, "/init", initBody("nodejs:20", base64Encode(zip), "main", true));
    ASSERT_EQ(init.status, 200) << init.body;
    EXPECT_EQ(json::parse(post(*rt, "/run", R"({"value":{"n":3}})").body),
              json::parse(R"({"hi":6})"));
  }
}

TEST(RuntimeErrors, BlackboxAckWithOwWaitForAck) {
  // Acknowledges late (after the runtime's 20 ms start check), then answers each line.
  std::string script =
      "#!/usr/bin/env python3\n"
      "import os, sys, time\n"
      "out = os.fdopen(3, 'w')\n"
      "time.sleep(0.1)\n"
      "out.write('{\"ok\":true}\\n'); out.flush()\n"
      "for line in sys.stdin:\n"
      "    out.write('{\"acked\":true}\\n'); out.flush()\n";
  auto rt = startRuntime();
  auto init = post(*rt, "/init",
                   initBody("blackbox", script, "main", false,
                            json::object{{"OW_WAIT_FOR_ACK", "1"}}));
  ASSERT_EQ(init.status, 200) << init.body;
  auto r = post(*rt, "/run", R"({"value":{}})");
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"acked":true})"));
}

TEST(RuntimeErrors, SigtermStopsCleanly) {
  auto tmp = TempDir::create();
  auto p = RuntimeProcess::start(CLEMMYS_RUNTIME_BIN, {}, {{"TMPDIR", tmp->path()}});
  ASSERT_TRUE(p) << p.error().str();
  auto& rt = **p;
  ASSERT_EQ(post(rt, "/init", initBody("python:3", kPython, "main")).status, 200);
  ASSERT_EQ(post(rt, "/run", R"({"value":{}})").status, 200);
  EXPECT_FALSE(std::filesystem::is_empty(tmp->path()));  // the action's code directory
  auto status = rt.stop();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
  EXPECT_TRUE(std::filesystem::is_empty(tmp->path()));
}

TEST(RuntimeErrors, UnknownRoutes) {
  auto rt = startRuntime();
  EXPECT_EQ(post(*rt, "/nope", "{}").status, 404);
  auto r = rt->post("/init", "{\"value\": 1");  // malformed JSON
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

const std::string kWarmBody =
    R"({"value":{"name":"x"},"namespace":"guest","action_name":"/guest/f",)"
    R"("action_version":"0.0.1","activation_id":"0123456789abcdef0123456789abcdef",)"
    R"("transaction_id":"t","deadline":"4102444800000"})";

// Not a correctness check: prints the warm cpp /run round trip over loopback.
TEST(RuntimeLatency, WarmCppRun) {
  auto rt = startRuntime();
  std::string lib = base64Encode(readFileBytes(CLEMMYS_RUNTIME_TEST_LIB));
  ASSERT_EQ(post(*rt, "/init", initBody("cpp", lib, "niam", true)).status, 200);
  const std::string body = kWarmBody;
  for (int i = 0; i < 200; ++i) ASSERT_EQ(post(*rt, "/run", body).status, 200);
  const int n = 10000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    auto r = rt->post("/run", body);
    ASSERT_TRUE(r && r->status == 200);
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - start).count();
  std::printf("warm cpp /run round trip: %.1f us average over %d requests\n",
              static_cast<double>(us) / n, n);
}

// Not a correctness check: prints the cost of a warm cpp /run inside the proxy alone
// (body parse, env export, call, result check), without HTTP.
TEST(RuntimeLatency, WarmCppRunInsideTheProxy) {
  SystemClock clock;
  ProxyOptions options;
  options.stdoutFd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  options.stderrFd = options.stdoutFd;
  ActionProxy proxy(options, clock);
  std::string lib = base64Encode(readFileBytes(CLEMMYS_RUNTIME_TEST_LIB));
  ASSERT_EQ(proxy.init(initBody("cpp", lib, "niam", true)).status, 200);
  const int n = 10000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) ASSERT_EQ(proxy.run(kWarmBody).status, 200);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - start).count();
  std::printf("warm cpp /run inside the proxy: %.2f us average over %d calls\n",
              static_cast<double>(us) / n, n);
  ::close(options.stdoutFd);
}

}  // namespace
}  // namespace clemmys::runtime
