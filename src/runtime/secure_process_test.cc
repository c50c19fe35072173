// Secure mode end to end with real processes: a clemmys-simtee daemon, clemmys-kms
// launched through it with an owner-signed policy, and clemmys-runtime --secure
// launched through the simtee (so it attests with sim quotes). The gateway's side is
// simulated here: its keys come from the KMS test guest attesting as "gateway".
// Fixture: src/kmsclient/kms_process_test_fixture.h (the KMS tests' own).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>

#include "kmsclient/kms_process_test_fixture.h"
#include "envelope/log_order.h"
#include "runtime/action_proxy.h"
#include "runtime/secure_config.h"
#include "runtime/secure_test_util.h"

namespace clemmys::runtime {
namespace {

namespace json = boost::json;
using namespace testing;

// Collects what a process writes on one pipe.
class Collector {
 public:
  explicit Collector(int fd) : fd_(fd), thread_([this] { loop(); }) {}
  ~Collector() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }
  // Waits until `needle` occurs `count` times.
  bool waitFor(const std::string& needle, size_t count, int ms = 5000) {
    for (int i = 0; i < ms / 10; ++i) {
      std::string t = text();
      size_t n = 0;
      for (size_t p = t.find(needle); p != std::string::npos; p = t.find(needle, p + 1)) ++n;
      if (n >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  void loop() {
    char buf[8192];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return;
      std::lock_guard lock(mu_);
      text_.append(buf, static_cast<size_t>(n));
    }
  }
  int fd_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string text_;
  std::thread thread_;
};

int listenLoopback(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd, 64);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

struct Runtime {
  pid_t pid = -1;
  uint16_t port = 0;
  std::unique_ptr<Collector> out, err;
  std::unique_ptr<http::Client> client;
  http::Response post(const std::string& path, const std::string& body) {
    auto r = client->request("POST", path, body, {{"Content-Type", "application/json"}});
    return r ? *r : http::Response{599, {}, r.error().str()};
  }
};

class SecureProcessTest : public kmsclient::testing::KmsProcessFixture {
 protected:
  void SetUp() override {
    KmsProcessFixture::SetUp();
    ASSERT_EQ(startKms().rfind("clemmys-kms listening", 0), 0u);
    verifyAndPin();
    certFile = dir + "/kms-cert.pem";
    std::ofstream(certFile) << endpoint.certificatePem;
    pyCode = readFileText(std::string(CLEMMYS_RUNTIME_TESTDATA) + "/secure_function.py");
    cppCode = base64Encode(readFileText(CLEMMYS_RUNTIME_TEST_LIB));
    rtMeasurement = measure(runtimeArgv("demo"));
    rtMeasurementNoSeccomp = measureWith({"--no-seccomp"}, runtimeArgv("demo"));
    rtMeasurementSharedTmp = measureWith({"--no-private-tmp"}, runtimeArgv("demo"));
    auto pinnedDigest = toHex(envelope::codeDigest("cpp", "niam", cppCode));
    std::string y = "name: demo\nversion: 1\n";
    y += "owners:\n  - |\n" + policy::testing::indent(crypto::publicKeyPem(owner.publicKey()), "    ");
    y += "services:\n"
         "  runtime: {measurements: [" + rtMeasurement + ", " + rtMeasurementNoSeccomp + ", " +
             rtMeasurementSharedTmp + "], evidence: [sim]}\n"
         "  gateway: {measurements: [" + guestMeasurement + "], evidence: [sim]}\n"
         "functions:\n"
         "  /guest/py:\n"
         "    env: {SECRET_ENV: \"$$secret:token$$\"}\n"
         "    argv: [\"--token=$$secret:token$$\"]\n"
         "  /guest/files:\n"
         "    env: {SECRET_ENV: files}\n"
         "    files: {/etc/app.conf: \"token=$$secret:token$$\"}\n"
         "  /guest/pinned:\n"
         "    pinned_digests: [" + std::string(64, 'd') + "]\n"
         "  /guest/noop:\n"
         "    pinned_digests: [" + pinnedDigest + "]\n"
         "secrets:\n"
         "  - {name: token, kind: supplied, value: s3cr3t-token-value}\n";
    auto c = owner_client();
    auto applied = kmsclient::applyPolicy(c, y, owner);
    ASSERT_TRUE(applied) << applied.error().str();
    // The gateway's keys, released to an attested guest as service "gateway".
    auto lines = runGuest({"SERVICE=gateway"});
    ASSERT_EQ(lines.size(), 1u);
    ASSERT_EQ(errorOf(lines[0]), "released");
    ASSERT_TRUE(loadKeys(lines[0].at("config").as_object(), gatewayKeys));
  }

  void TearDown() override {
    // SIGTERM first, so each runtime removes its private file directory.
    tee::SimteeClient client(socket);
    for (pid_t pid : launched) (void)client.signal(pid, SIGTERM);
    for (pid_t pid : launched) {
      for (int i = 0; i < 100; ++i) {
        auto st = client.exitStatus(pid);
        if (!st || *st) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      (void)client.signal(pid, SIGKILL);
    }
    KmsProcessFixture::TearDown();
  }

  std::vector<std::string> runtimeArgv(const std::string& session) {
    return {RUNTIME_BINARY, "--secure", "--kms", "https://127.0.0.1:" + std::to_string(kmsPort), "--kms-cert",
            certFile, "--session", session, "--listen-fd", "3", "--launcher-dir", LAUNCHER_DIR,
            "--python", "/usr/bin/python3"};
  }

  std::string measureWith(std::vector<std::string> flags, std::vector<std::string> argv) {
    SpawnOptions o;
    o.argv = {SIMTEE_DAEMON, "measure"};
    o.argv.insert(o.argv.end(), flags.begin(), flags.end());
    o.argv.push_back("--");
    o.argv.insert(o.argv.end(), argv.begin(), argv.end());
    o.pipeStdout = true;
    auto child = spawn(o);
    if (!child) return "";
    std::string out = kmsclient::testing::drain(child->stdoutFd(), std::chrono::seconds(10));
    child->wait();
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  Runtime launch(const std::string& session = "demo", bool seccomp = true,
                 bool privateTmp = true) {
    Runtime rt;
    int listenFd = listenLoopback(rt.port);
    int out[2], err[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(err, O_CLOEXEC), 0);
    tee::LaunchRequest req;
    req.argv = runtimeArgv(session);
    req.env = {"LANG=C.UTF-8"};
    req.sandbox.seccomp = seccomp;
    req.sandbox.privateTmp = privateTmp;
    req.fds = {{listenFd, 3}, {out[1], 1}, {err[1], 2}};
    tee::SimteeClient client(socket);
    auto l = client.launch(req);
    ::close(listenFd);
    ::close(out[1]);
    ::close(err[1]);
    EXPECT_TRUE(l) << l.error().str();
    if (l) {
      rt.pid = l->pid;
      launched.push_back(l->pid);
      if (session == "demo") {
        EXPECT_EQ(l->measurementHex, !privateTmp ? rtMeasurementSharedTmp
                                     : seccomp   ? rtMeasurement
                                                 : rtMeasurementNoSeccomp);
      }
    }
    rt.out = std::make_unique<Collector>(out[0]);
    rt.err = std::make_unique<Collector>(err[0]);
    rt.client = std::make_unique<http::Client>("127.0.0.1", rt.port);
    return rt;
  }

  static std::string initBody(const std::string& fqn, const std::string& wire) {
    return json::serialize(json::object{{"value", json::object{{"name", fqn}, {"main", "main"}, {"code", wire}}}});
  }

  static std::string errorOf(const http::Response& r) {
    auto v = json::parse(r.body);
    const auto& e = v.at("error");
    return e.is_string() ? std::string(e.as_string()) : "(sealed)";
  }
  using KmsProcessFixture::errorOf;

  json::object openResult(Gateway& gw, const http::Response& r) {
    auto outcome = gw.ledger.accept(*envelope::fromWire(json::parse(r.body).at("clemmys").as_string()));
    EXPECT_TRUE(outcome) << outcome.error().str();
    return outcome ? json::parse(outcome->payload).as_object() : json::object{};
  }

  std::string certFile, pyCode, cppCode, rtMeasurement, rtMeasurementNoSeccomp,
      rtMeasurementSharedTmp;
  envelope::KeyRing gatewayKeys;
  SystemClock clock;
  SystemRandom random;
  std::vector<pid_t> launched;
};

TEST_F(SecureProcessTest, SealedPythonFunctionWithPolicyEnvArgvAndSealedLogs) {
  auto rt = launch();
  auto code = sealCode("/guest/py", "python:3", pyCode, false, gatewayKeys, random);
  auto init = rt.post("/init", initBody("/guest/py", code.wire));
  ASSERT_EQ(init.status, 200) << init.body;
  Gateway gw(gatewayKeys, clock, random);
  envelope::Id id;
  std::string invoke = gw.invoke({"/guest/py", {{"/guest/py", code.digest}}}, R"({"tag":"plaintext-marker"})", id);
  auto r = rt.post("/run", runBody(invoke));
  ASSERT_EQ(r.status, 200) << r.body;
  auto result = openResult(gw, r);
  EXPECT_EQ(result.at("args").at("tag"), "plaintext-marker");
  EXPECT_EQ(result.at("activation"), json::value(toHex(id)));
  EXPECT_EQ(result.at("secret_env"), "s3cr3t-token-value");
  EXPECT_EQ(result.at("argv"), json::parse(R"(["--token=s3cr3t-token-value"])"));

  // Replay to the same instance.
  auto replay = rt.post("/run", runBody(invoke));
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(errorOf(replay), "envelope.replayed");

  // Logs: sealed lines, then the plaintext sentinels; no plaintext of the function.
  ASSERT_TRUE(rt.out->waitFor(std::string(kSentinel), 2));
  ASSERT_TRUE(rt.err->waitFor(std::string(kSentinel), 2));
  for (auto* c : {rt.out.get(), rt.err.get()}) {
    std::string text = c->text();
    EXPECT_EQ(text.find("plaintext-marker"), std::string::npos) << text;
    EXPECT_EQ(text.find("secure log"), std::string::npos);
    size_t firstSentinel = text.find(kSentinel);
    std::string before = text.substr(0, firstSentinel);
    ASSERT_TRUE(before.starts_with("clemmys:")) << text;
    std::string wire = before.substr(8, before.find('\n') - 8);
    auto parsed = envelope::parse(*envelope::fromWire(wire));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->header.id, id);
    auto line = envelope::open(*parsed, gatewayKeys);
    ASSERT_TRUE(line);
    auto logLine = envelope::decodeLogBody(*line);  // stream, number, text
    ASSERT_TRUE(logLine);
    EXPECT_EQ(logLine->seq, 0u);
    EXPECT_TRUE(logLine->text.starts_with("secure log"));
  }
}

TEST_F(SecureProcessTest, CppThenPythonChainAcrossTwoRuntimes) {
  auto a = launch();
  auto b = launch();
  auto codeA = sealCode("/guest/echo", "cpp", cppCode, true, gatewayKeys, random);
  auto codeB = sealCode("/guest/py", "python:3", pyCode, false, gatewayKeys, random);
  ASSERT_EQ(a.post("/init", initBody("/guest/echo", codeA.wire)).status, 200);
  ASSERT_EQ(b.post("/init", initBody("/guest/py", codeB.wire)).status, 200);
  Gateway gw(gatewayKeys, clock, random);
  envelope::Id id;
  envelope::ChainSpec chain{"/guest/seq", {{"/guest/echo", codeA.digest}, {"/guest/py", codeB.digest}}};
  auto r1 = a.post("/run", runBody(gw.invoke(chain, R"({"tag":"via-chain"})", id)));
  ASSERT_EQ(r1.status, 200) << r1.body;
  std::string next(json::parse(r1.body).at("clemmys").as_string());
  // Redirected back to step 0's runtime.
  auto wrong = a.post("/run", runBody(next));
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(errorOf(wrong), "envelope.wrong_function");
  auto r2 = b.post("/run", runBody(next));
  ASSERT_EQ(r2.status, 200) << r2.body;
  auto result = openResult(gw, r2);
  EXPECT_EQ(result.at("args").at("tag"), "via-chain");
  // The cpp step logged "hello stdout": only sealed.
  ASSERT_TRUE(a.out->waitFor(std::string(kSentinel), 1));
  EXPECT_EQ(a.out->text().find("hello"), std::string::npos);
  EXPECT_TRUE(a.out->text().starts_with("clemmys:"));
}

TEST_F(SecureProcessTest, InitRefusesForeignAndUnpinnedCode) {
  auto rt = launch();
  auto foreign = sealCode("/guest/other", "python:3", pyCode, false, gatewayKeys, random);
  auto r = rt.post("/init", initBody("/guest/py", foreign.wire));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(errorOf(r), "envelope.wrong_target");
  auto unpinned = sealCode("/guest/pinned", "python:3", pyCode, false, gatewayKeys, random);
  r = rt.post("/init", initBody("/guest/pinned", unpinned.wire));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(errorOf(r), "runtime.code_not_pinned");
  // Pinned code is accepted.
  auto pinned = sealCode("/guest/noop", "cpp", cppCode, true, gatewayKeys, random, "niam");
  r = rt.post("/init", initBody("/guest/noop", pinned.wire));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(SecureProcessTest, ConfiguredFilesLiveOnTheSandboxesPrivateTmpfs) {
  auto code = sealCode("/guest/files", "python:3", pyCode, false, gatewayKeys, random);
  // The simtee mounts a private tmpfs on /tmp (measured sandbox option): the files
  // reach the function there, never the host's disk.
  auto rt = launch();
  auto r = rt.post("/init", initBody("/guest/files", code.wire));
  ASSERT_EQ(r.status, 200) << r.body;
  Gateway gw(gatewayKeys, clock, random);
  envelope::Id id;
  r = rt.post("/run", runBody(gw.invoke({"/guest/files", {{"/guest/files", code.digest}}}, "{}", id)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(openResult(gw, r).at("file"), "token=s3cr3t-token-value");
  // Without a private /tmp the sandbox drops every capability and denies mount(), so
  // the runtime cannot make one itself: it fails closed.
  auto shared = launch("demo", true, /*privateTmp=*/false);
  r = shared.post("/init", initBody("/guest/files", code.wire));
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(errorOf(r), "runtime.files_unprotected") << r.body;
  // A function without files still initialises in the same sandbox.
  auto py = sealCode("/guest/py", "python:3", pyCode, false, gatewayKeys, random);
  auto other = launch();
  EXPECT_EQ(other.post("/init", initBody("/guest/py", py.wire)).status, 200);
}

TEST_F(SecureProcessTest, RuntimeThatCannotAttestExitsWithTheNamedError) {
  auto rt = launch("no-such-session");
  tee::SimteeClient client(socket);
  std::optional<int> status;
  for (int i = 0; i < 500 && !status; ++i) {
    auto st = client.exitStatus(rt.pid);
    if (st && *st) status = *st;
    else std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_TRUE(rt.err->waitFor("kms.unknown_session", 1)) << rt.err->text();
}

TEST_F(SecureProcessTest, SigtermStopsASandboxedRuntime) {
  auto rt = launch();
  auto code = sealCode("/guest/echo", "cpp", cppCode, true, gatewayKeys, random);
  ASSERT_EQ(rt.post("/init", initBody("/guest/echo", code.wire)).status, 200);
  tee::SimteeClient client(socket);
  ASSERT_TRUE(client.signal(rt.pid, SIGTERM));
  std::optional<int> status;
  for (int i = 0; i < 250 && !status; ++i) {
    auto st = client.exitStatus(rt.pid);
    if (st && *st) status = *st;
    else std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(status) << "SIGTERM ignored by the runtime as pid-namespace init";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

}  // namespace
}  // namespace clemmys::runtime
