// Secure handler logic with an injected KeyRing and a KeySource that returns fixed
// configurations (no KMS, no simtee): /init with CODE envelopes, /run with INVOKE +
// PARAMS, sealed output opened by a simulated gateway, and the log sealer.
#include "runtime/private_files_testing.h"
#include "runtime/secure_proxy.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "runtime/process_scan_test_util.h"
#include "runtime/secure_test_util.h"

namespace clemmys::runtime {
namespace {

namespace json = boost::json;
using namespace testing;

json::object keyEntry(uint32_t version, const std::string& raw) {
  return json::object{{"version", version}, {"key", base64UrlEncode(raw)}};
}

class FakeKeySource : public KeySource {
 public:
  Result<json::object> fetch(const std::optional<std::string>& function) override {
    ++fetches;
    json::object c = base;
    if (function) {
      functionsAsked.push_back(*function);
      auto it = perFunction.find(*function);
      if (it == perFunction.end()) return fail("kms.unknown_function", *function);
      for (const auto& [k, v] : it->second) c[k] = v;
    }
    return c;
  }
  json::object base;
  std::map<std::string, json::object> perFunction;
  int fetches = 0;
  std::vector<std::string> functionsAsked;
};

class SecureProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key1 = random.bytes(32);
    kms.base = json::object{{"keys", json::array{keyEntry(1, key1)}}};
    kms.perFunction["/guest/py"] = json::object{
        {"env", json::object{{"SECRET_ENV", "s3cret"}}},
        {"argv", json::array{"--token=abc"}},
        {"files", json::object{{"/etc/app.conf", "key=value"}}},
        {"pinned_digests", json::array{}}};
    gatewayKeys.add(1, crypto::SecretBytes(crypto::asBytes(key1)));
    char tmpl[] = "/tmp/clemmys-secure-test-XXXXXX";
    filesDir = ::mkdtemp(tmpl);
    files = PrivateFilesForTesting::unmounted(filesDir);
  }
  void TearDown() override { std::filesystem::remove_all(filesDir); }

  struct Instance {
    envelope::KeyRing keys;
    std::unique_ptr<ActionProxy> proxy;
    std::unique_ptr<SecureProxy> secure;
  };

  std::unique_ptr<Instance> instance() {
    auto in = std::make_unique<Instance>();
    auto start = kms.fetch(std::nullopt);
    EXPECT_TRUE(loadKeys(*start, in->keys));
    ProxyOptions o;
    o.tools.launcherDir = CLEMMYS_LAUNCHER_DIR;
    in->proxy = std::make_unique<ActionProxy>(o, clock);
    in->secure = std::make_unique<SecureProxy>(
        SecureDeps{*in->proxy, kms, in->keys, clock, random, nullptr, &files});
    return in;
  }

  http::Response initWith(Instance& in, const std::string& name, const std::string& codeWire) {
    json::object body{{"value", json::object{{"name", name}, {"main", "main"}, {"code", codeWire},
                                             {"env", json::object{{"INJECTED", "by-the-host"}}}}}};
    return in.secure->init(json::serialize(body));
  }

  SealedCode pythonCode(const std::string& fqn, const std::string& paramsWire = "") {
    return sealCode(fqn, "python:3", readFileText(std::string(CLEMMYS_RUNTIME_TESTDATA) + "/secure_function.py"),
                    false, gatewayKeys, random, "main", paramsWire);
  }

  SealedCode cppCode(const std::string& fqn) {
    return sealCode(fqn, "cpp", base64Encode(readFileText(CLEMMYS_RUNTIME_TEST_LIB)), true, gatewayKeys, random);
  }

  void checkReleasedConfiguration(bool prestart);

  static std::string errorOf(const http::Response& r) {
    auto v = json::parse(r.body);
    const auto& e = v.at("error");
    return e.is_string() ? std::string(e.as_string()) : "(sealed)";
  }

  FakeClock clock{SystemClock().nowMs()};  // starts now: runBody's deadlines are real time
  SystemRandom random;
  FakeKeySource kms;
  std::string key1, filesDir;
  envelope::KeyRing gatewayKeys;
  PrivateFiles files;
};

TEST_F(SecureProxyTest, SealedPythonFunctionRunsWithReleasedConfiguration) {
  checkReleasedConfiguration(false);
}

// POST /prestart passes through to the plain proxy; the released env, argv and files
// then reach the pre-started launcher through its start line, exactly as before.
TEST_F(SecureProxyTest, PrestartedPythonGetsTheReleasedConfiguration) {
  checkReleasedConfiguration(true);
}

void SecureProxyTest::checkReleasedConfiguration(bool prestart) {
  auto in = instance();
  pid_t waiting = 0;
  if (prestart) {
    http::Request request;
    request.method = "POST";
    request.path = request.target = "/prestart";
    request.body = R"({"kind":"python:3"})";
    ASSERT_EQ(in->secure->handle(request).status, 200);
    for (int i = 0; i < 300 && waiting == 0; ++i) {
      auto py = testing::childrenMatching(::getpid(), "_launcher.py --prestart");
      if (py.size() == 1 && testing::commandLine(py[0]).find("libexec/pyenv") == std::string::npos) {
        waiting = py[0];
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    ASSERT_NE(waiting, 0);
  }
  std::string params = sealObject(envelope::Type::params, "/guest/py", R"({"over":"default","keep":1})",
                                  gatewayKeys, random);
  auto code = pythonCode("/guest/py", params);
  ASSERT_EQ(initWith(*in, "/guest/py", code.wire).status, 200);
  EXPECT_EQ(kms.functionsAsked, std::vector<std::string>{"/guest/py"});

  Gateway gw(gatewayKeys, clock, random);
  envelope::Id id;
  std::string invoke =
      gw.invoke({"/guest/py", {{"/guest/py", code.digest}}}, R"({"tag":"t1","over":"payload"})", id);
  auto r = in->secure->run(runBody(invoke, params));
  ASSERT_EQ(r.status, 200) << r.body;
  auto wire = json::parse(r.body).at("clemmys").as_string();
  EXPECT_EQ(r.body.find("payload"), std::string::npos);  // nothing in plaintext
  auto outcome = gw.ledger.accept(*envelope::fromWire(wire));
  ASSERT_TRUE(outcome) << outcome.error().str();
  EXPECT_FALSE(outcome->failed);
  auto result = json::parse(outcome->payload).as_object();
  EXPECT_EQ(result.at("args"), json::parse(R"({"over":"payload","keep":1,"tag":"t1"})"));
  EXPECT_EQ(result.at("activation"), json::value(toHex(id)));
  EXPECT_EQ(result.at("secret_env"), "s3cret");
  EXPECT_TRUE(result.at("injected").is_null());  // the host's /init env is ignored
  EXPECT_EQ(result.at("argv"), json::parse(R"(["--token=abc"])"));
  EXPECT_EQ(result.at("file"), "key=value");
  if (prestart) {
    EXPECT_EQ(result.at("pid"), json::value(waiting));
    // Nothing of the configuration went to the launcher's command line.
    std::string cmdline = testing::commandLine(waiting);
    EXPECT_EQ(cmdline.find("--token"), std::string::npos) << cmdline;
    EXPECT_EQ(cmdline.find("s3cret"), std::string::npos) << cmdline;
  }

  // The same message again: refused by the replay cache.
  auto replay = in->secure->run(runBody(invoke, params));
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(errorOf(replay), "envelope.replayed");
}

TEST_F(SecureProxyTest, ApplicationErrorIsSealedAsError) {
  auto in = instance();
  auto code = pythonCode("/guest/py");
  ASSERT_EQ(initWith(*in, "/guest/py", code.wire).status, 200);
  Gateway gw(gatewayKeys, clock, random);
  envelope::Id id;
  auto r = in->secure->run(runBody(gw.invoke({"/guest/py", {{"/guest/py", code.digest}}}, R"({"fail":true})", id)));
  ASSERT_EQ(r.status, 200) << r.body;
  auto wire = json::parse(r.body).at("error").at("clemmys").as_string();
  auto outcome = gw.ledger.accept(*envelope::fromWire(wire));
  ASSERT_TRUE(outcome) << outcome.error().str();
  EXPECT_TRUE(outcome->failed);
  EXPECT_EQ(json::parse(outcome->payload), json::parse(R"({"error":"asked to fail"})"));
}

TEST_F(SecureProxyTest, TwoStepChainAcrossTwoRuntimes) {
  auto a = instance();
  auto b = instance();
  auto codeA = cppCode("/guest/echo");
  auto codeB = pythonCode("/guest/py");
  ASSERT_EQ(initWith(*a, "/guest/echo", codeA.wire).status, 200);
  ASSERT_EQ(initWith(*b, "/guest/py", codeB.wire).status, 200);
  Gateway gw(gatewayKeys, clock, random);
  envelope::Id id;
  envelope::ChainSpec chain{"/guest/seq", {{"/guest/echo", codeA.digest}, {"/guest/py", codeB.digest}}};
  auto r1 = a->secure->run(runBody(gw.invoke(chain, R"({"tag":"chained"})", id)));
  ASSERT_EQ(r1.status, 200) << r1.body;
  std::string next(json::parse(r1.body).at("clemmys").as_string());
  // The intermediate message is an INVOKE for step 1, not an outcome.
  EXPECT_FALSE(gw.ledger.accept(*envelope::fromWire(next)));
  // Sent back to step 0's runtime: addressed to another function.
  auto wrong = a->secure->run(runBody(next));
  EXPECT_EQ(errorOf(wrong), "envelope.wrong_function");
  auto r2 = b->secure->run(runBody(next));
  ASSERT_EQ(r2.status, 200) << r2.body;
  auto outcome = gw.ledger.accept(*envelope::fromWire(json::parse(r2.body).at("clemmys").as_string()));
  ASSERT_TRUE(outcome) << outcome.error().str();
  auto result = json::parse(outcome->payload).as_object();
  EXPECT_EQ(result.at("args").at("tag"), "chained");
  EXPECT_EQ(result.at("activation"), json::value(toHex(id)));
}

TEST_F(SecureProxyTest, InitRefusesCodeForAnotherFunctionAndUnpinnedCode) {
  auto in = instance();
  auto r = initWith(*in, "/guest/py", pythonCode("/guest/other").wire);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(errorOf(r), "envelope.wrong_target");

  kms.perFunction["/guest/py"]["pinned_digests"] = json::array{std::string(64, 'd')};
  auto pinned = instance();
  r = initWith(*pinned, "/guest/py", pythonCode("/guest/py").wire);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(errorOf(r), "runtime.code_not_pinned");

  auto code = pythonCode("/guest/py");
  kms.perFunction["/guest/py"]["pinned_digests"] = json::array{toHex(code.digest)};
  auto ok = instance();
  // The short name OpenWhisk's invokers send is accepted too: the fqn is the CODE's target.
  EXPECT_EQ(initWith(*ok, "py", code.wire).status, 200);
  EXPECT_EQ(kms.functionsAsked.back(), "/guest/py");
}

TEST_F(SecureProxyTest, PlaintextAndForgedMessagesAreRefused) {
  auto in = instance();
  auto code = cppCode("/guest/echo");
  ASSERT_EQ(initWith(*in, "/guest/echo", code.wire).status, 200);
  auto plain = in->secure->run(R"({"value":{"name":"x"}})");
  EXPECT_EQ(errorOf(plain), "envelope.not_sealed");
  envelope::KeyRing otherKeys;
  otherKeys.add(1, crypto::SecretBytes(crypto::asBytes(random.bytes(32))));
  Gateway forger(otherKeys, clock, random);
  envelope::Id id;
  auto forged = in->secure->run(runBody(forger.invoke({"/guest/echo", {{"/guest/echo", code.digest}}}, "{}", id)));
  EXPECT_EQ(errorOf(forged), "envelope.auth_failed");
  // PARAMS sealed for another function: not the sealing this code binds (none).
  Gateway gw(gatewayKeys, clock, random);
  auto params = sealObject(envelope::Type::params, "/guest/py", "{}", gatewayKeys, random);
  auto r = in->secure->run(runBody(gw.invoke({"/guest/echo", {{"/guest/echo", code.digest}}}, "{}", id), params));
  EXPECT_EQ(errorOf(r), "runtime.defaults_substituted");
}

// D1–D3: the defaults a /run carries are the sealing the CODE names, or none.
TEST_F(SecureProxyTest, DefaultsMustBeTheOnesSealedWithTheCode) {
  std::string library = base64Encode(readFileText(CLEMMYS_RUNTIME_TEST_LIB));
  std::string v1 = sealObject(envelope::Type::params, "/guest/echo", R"({"d":1})", gatewayKeys, random);
  std::string v2 = sealObject(envelope::Type::params, "/guest/echo", R"({"d":2})", gatewayKeys, random);
  auto code = sealCode("/guest/echo", "cpp", library, true, gatewayKeys, random, "main", v2);
  auto in = instance();
  ASSERT_EQ(initWith(*in, "/guest/echo", code.wire).status, 200);
  Gateway gw(gatewayKeys, clock, random);
  envelope::Id id;
  auto invoke = [&] { return gw.invoke({"/guest/echo", {{"/guest/echo", code.digest}}}, "{}", id); };
  EXPECT_EQ(errorOf(in->secure->run(runBody(invoke()))), "runtime.defaults_dropped");
  EXPECT_EQ(errorOf(in->secure->run(runBody(invoke(), v1))), "runtime.defaults_substituted");
  std::string fresh = invoke();
  EXPECT_EQ(in->secure->run(runBody(fresh, v2)).status, 200);
  EXPECT_EQ(errorOf(in->secure->run(runBody(fresh, v2))), "envelope.replayed");

  // A CODE sealed without a binding (zero) is refused at /init.
  auto unbound = instance();
  std::string body = json::serialize(json::object{{"kind", "cpp"}, {"main", "main"}, {"binary", true}, {"code", library}});
  std::string zero = sealObject(envelope::Type::code, "/guest/echo", body, gatewayKeys, random);
  EXPECT_EQ(errorOf(initWith(*unbound, "/guest/echo", zero)), "runtime.defaults_unbound");
}

TEST_F(SecureProxyTest, UnknownKeyVersionIsFetchedAtMostOnceASecond) {
  auto in = instance();
  auto code = cppCode("/guest/echo");
  ASSERT_EQ(initWith(*in, "/guest/echo", code.wire).status, 200);
  std::string key2 = random.bytes(32);
  gatewayKeys.add(2, crypto::SecretBytes(crypto::asBytes(key2)));
  Gateway gw(gatewayKeys, clock, random);
  envelope::Id id;
  int before = kms.fetches;
  // Not yet released: one fetch, then refused.
  auto r = in->secure->run(runBody(gw.invoke({"/guest/echo", {{"/guest/echo", code.digest}}}, "{}", id, 2)));
  EXPECT_EQ(errorOf(r), "envelope.unknown_key_version");
  EXPECT_EQ(kms.fetches, before + 1);
  // Rotated at the KMS, but within the second: no fetch, still refused.
  kms.base["keys"].as_array().push_back(keyEntry(2, key2));
  for (int i = 0; i < 5; ++i) {
    r = in->secure->run(runBody(gw.invoke({"/guest/echo", {{"/guest/echo", code.digest}}}, "{}", id, 2)));
    EXPECT_EQ(errorOf(r), "envelope.unknown_key_version");
  }
  EXPECT_EQ(kms.fetches, before + 1);
  // A second later the next message fetches it and is accepted.
  clock.advance(1000);
  r = in->secure->run(runBody(gw.invoke({"/guest/echo", {{"/guest/echo", code.digest}}}, R"({"a":1})", id, 2)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(kms.fetches, before + 2);
  auto outcome = gw.ledger.accept(*envelope::fromWire(json::parse(r.body).at("clemmys").as_string()));
  ASSERT_TRUE(outcome) << outcome.error().str();
  EXPECT_EQ(outcome->header.keyVersion, 2u);
}

// In-process share of the per-hop overhead (no HTTP, no log pipes): opening and
// checking the INVOKE, merging, re-serialising and sealing the output. Printed.
TEST_F(SecureProxyTest, InProcessCostOfSecureRun) {
  constexpr int kRuns = 2000;
  auto in = instance();
  auto code = sealCode("/guest/noop", "cpp", base64Encode(readFileText(CLEMMYS_RUNTIME_TEST_LIB)), true,
                       gatewayKeys, random, "niam");
  ASSERT_EQ(initWith(*in, "/guest/noop", code.wire).status, 200);
  Gateway gw(gatewayKeys, clock, random);
  std::vector<std::string> bodies;
  for (int i = 0; i < kRuns; ++i) {
    envelope::Id id;
    bodies.push_back(runBody(gw.invoke({"/guest/noop", {{"/guest/noop", code.digest}}}, "{}", id)));
  }
  ProxyOptions o;
  ActionProxy plain(o, clock);
  json::object pinit{{"value", json::object{{"main", "niam"}, {"kind", "cpp"}, {"binary", true},
                                            {"code", base64Encode(readFileText(CLEMMYS_RUNTIME_TEST_LIB))}}}};
  ASSERT_EQ(plain.init(json::serialize(pinit)).status, 200);
  std::string plainBody = runBody("x");
  // Sentinels go to stdout here; silence them for the measurement.
  int devnull = ::open("/dev/null", O_WRONLY), saved1 = ::dup(1), saved2 = ::dup(2);
  ::dup2(devnull, 1);
  ::dup2(devnull, 2);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) plain.run(plainBody);
  auto t1 = std::chrono::steady_clock::now();
  int ok = 0;
  for (const auto& b : bodies) ok += in->secure->run(b).status == 200;
  auto t2 = std::chrono::steady_clock::now();
  ::dup2(saved1, 1);
  ::dup2(saved2, 2);
  ::close(devnull);
  EXPECT_EQ(ok, kRuns);
  double plainUs = std::chrono::duration<double, std::micro>(t1 - t0).count() / kRuns;
  double secureUs = std::chrono::duration<double, std::micro>(t2 - t1).count() / kRuns;
  // The envelope work alone: accept (HKDF + AES-GCM open + checks) and sealOutput.
  envelope::InvokeGuard guard(gatewayKeys, clock, {"/guest/noop", code.digest}, 60000);
  std::vector<envelope::Bytes> raw;
  for (int i = 0; i < kRuns; ++i) {
    envelope::Id id;
    random.fill(id.data(), id.size());
    raw.push_back(*envelope::sealFirstInvoke(id, {"/guest/noop", {{"/guest/noop", code.digest}}},
                                             static_cast<uint64_t>(clock.nowMs()) + 60000, "{}", 1, gatewayKeys,
                                             random));
  }
  auto t3 = std::chrono::steady_clock::now();
  for (const auto& r : raw) {
    auto a = guard.accept(r);
    ASSERT_TRUE(a);
    ASSERT_TRUE(envelope::sealOutput(*a, R"({"greeting":"niam"})", false, gatewayKeys, random));
  }
  double cryptoUs = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t3).count() / kRuns;
  std::printf("[ PERF ] in-process cpp no-op run: plain %.1f us, secure %.1f us (+%.1f us; accept + sealOutput "
              "alone %.1f us)\n",
              plainUs, secureUs, secureUs - plainUs, cryptoUs);
}

}  // namespace
}  // namespace clemmys::runtime
