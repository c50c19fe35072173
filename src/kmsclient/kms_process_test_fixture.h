// Process fixture for the KMS integration tests: a clemmys-simtee daemon and
// clemmys-kms launched THROUGH it (so the KMS gets quotes, a sealing key and
// counters), all in a temp dir, ports from the kernel (port 0).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "common/clock.h"
#include "common/subprocess.h"
#include "kmsclient/kms_verify.h"
#include "kmsclient/owner_client.h"
#include "policy/policy_test_util.h"
#include "tee/simtee_client.h"

namespace clemmys::kmsclient::testing {

namespace json = boost::json;

// Reads everything from fd until EOF or timeout.
inline std::string drain(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[8192];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Reads one line (up to '\n') from fd.
inline std::string readLine(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char c;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if (::read(fd, &c, 1) != 1) break;
    if (c == '\n') break;
    out += c;
  }
  return out;
}

class KmsProcessFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/clemmys-kms-p-XXXXXX";
    dir = ::mkdtemp(tmpl);
    socket = dir + "/simtee.sock";
    SpawnOptions o;
    o.argv = {SIMTEE_DAEMON, "--socket", socket, "--state-dir", dir + "/simtee"};
    auto child = spawn(o);
    ASSERT_TRUE(child) << child.error().str();
    daemon = std::move(*child);
    for (int i = 0; i < 250 && !std::filesystem::exists(socket); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(std::filesystem::exists(socket));
    tee::SimteeClient client(socket);
    auto root = client.rootCertificatePem();
    ASSERT_TRUE(root) << root.error().str();
    simRoot = *root;
    guestMeasurement = measure({KMS_TEST_GUEST});
  }

  void TearDown() override {
    stopKms();
    daemon.terminate();
    std::filesystem::remove_all(dir);
  }

  std::string measure(std::vector<std::string> argv) {
    SpawnOptions o;
    o.argv = {SIMTEE_DAEMON, "measure", "--"};
    o.argv.insert(o.argv.end(), argv.begin(), argv.end());
    o.pipeStdout = true;
    auto child = spawn(o);
    if (!child) return "";
    std::string out = drain(child->stdoutFd(), std::chrono::seconds(10));
    child->wait();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  // Launches clemmys-kms through the simtee, with `extraArgs` after the usual
  // ones; returns its first output line (the "listening" line, or the error it
  // stopped with).
  std::string startKms(const std::vector<std::string>& extraArgs = {}) {
    int listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    int one = 1;
    ::setsockopt(listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    EXPECT_EQ(::bind(listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listenFd, 512), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listenFd, reinterpret_cast<sockaddr*>(&addr), &len);
    kmsPort = ntohs(addr.sin_port);
    endpoint.port = kmsPort;  // the pinned certificate persists across restarts
    int out[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    tee::LaunchRequest req;
    req.argv = {KMS_BINARY, "--state-dir", dir + "/kms", "--listen-fd", "3", "--host", "127.0.0.1"};
    req.argv.insert(req.argv.end(), extraArgs.begin(), extraArgs.end());
    req.fds = {{listenFd, 3}, {out[1], 1}, {out[1], 2}};
    tee::SimteeClient client(socket);
    auto launched = client.launch(req);
    ::close(listenFd);
    ::close(out[1]);
    if (!launched) {
      ::close(out[0]);
      return "launch failed: " + launched.error().str();
    }
    kmsPid = launched->pid;
    kmsMeasurement = launched->measurementHex;
    kmsOut = out[0];
    return readLine(kmsOut);
  }

  void stopKms() {
    if (kmsPid <= 0) return;
    tee::SimteeClient client(socket);
    (void)client.signal(kmsPid, SIGTERM);
    for (int i = 0; i < 250; ++i) {
      auto st = client.exitStatus(kmsPid);
      if (!st || *st) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kmsPid = -1;
    if (kmsOut >= 0) ::close(kmsOut);
    kmsOut = -1;
  }

  // Verifies the running KMS and pins its certificate.
  void verifyAndPin() {
    SystemClock clock;
    auto v = verifyKms(KmsEndpoint{"127.0.0.1", kmsPort, ""}, kmsMeasurement, simRoot, clock);
    ASSERT_TRUE(v) << v.error().str();
    endpoint = KmsEndpoint{"127.0.0.1", kmsPort, v->certificatePem};
  }

  http::Client owner_client() { return *pinnedClient(endpoint); }

  std::string policyYaml(int version = 1, const std::string& predecessor = "") {
    std::string y = "name: demo\nversion: " + std::to_string(version) + "\n";
    if (!predecessor.empty()) y += "predecessor: " + predecessor + "\n";
    y += "owners:\n  - |\n" + policy::testing::indent(crypto::publicKeyPem(owner.publicKey()), "    ");
    y += "services:\n"
         "  runtime: {measurements: [" + guestMeasurement + "], evidence: [sim]}\n"
         "  gateway: {measurements: [" + guestMeasurement + "], evidence: [sim]}\n"
         "  other: {measurements: [" + std::string(64, 'b') + "], evidence: [sim]}\n"
         "  strict: {measurements: [" + guestMeasurement + "], evidence: [sgx]}\n"
         "  hw: {measurements: [" + std::string(64, 'c') + "], evidence: [sgx, sim]}\n"
         "functions:\n"
         "  guest/hello:\n"
         "    env: {DB_PASSWORD: \"$$secret:db$$\", MODE: production}\n"
         "    argv: [\"--api-token=$$secret:token$$\"]\n"
         "    files: {/run/secrets/tls.key: \"$$secret:tls.key$$\"}\n"
         "    pinned_digests: [" + std::string(64, 'd') + "]\n"
         "  guest/other: {env: {ONLY: other}}\n"
         "secrets:\n"
         "  - {name: db, kind: random, size: 12}\n"
         "  - {name: token, kind: supplied, value: s3cr3t-token}\n"
         "  - {name: tls, kind: x509}\n";
    return y;
  }

  // Launches the guest through the simtee with `settings` (NAME=value lines on its
  // stdin); returns its output lines.
  std::vector<json::object> runGuest(std::vector<std::string> settings) {
    int out[2], in[2];
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    std::string pem = endpoint.certificatePem;
    for (size_t at = 0; (at = pem.find('\n', at)) != std::string::npos; at += 2) pem.replace(at, 1, "\\n");
    std::string input = "KMS_HOST=127.0.0.1\nKMS_PORT=" + std::to_string(kmsPort) + "\nKMS_CERT=" + pem +
                        "\nSESSION=demo\n";
    for (const auto& s : settings) input += s + "\n";
    EXPECT_EQ(::write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
    ::close(in[1]);
    tee::LaunchRequest req;
    req.argv = {KMS_TEST_GUEST};
    req.fds = {{in[0], 0}, {out[1], 1}, {2, 2}};
    tee::SimteeClient client(socket);
    auto launched = client.launch(req);
    ::close(out[1]);
    ::close(in[0]);
    std::vector<json::object> lines;
    if (!launched) {
      ::close(out[0]);
      ADD_FAILURE() << launched.error().str();
      return lines;
    }
    EXPECT_EQ(launched->measurementHex, guestMeasurement);
    std::string text = drain(out[0]);
    ::close(out[0]);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      if (nl > pos) lines.push_back(json::parse(text.substr(pos, nl - pos)).as_object());
      pos = nl + 1;
    }
    return lines;
  }

  static std::string errorOf(const json::object& line) {
    return line.at("ok").as_bool() ? "released" : std::string(line.at("error").as_string());
  }

  std::string dir, socket, simRoot, guestMeasurement, kmsMeasurement;
  Child daemon;
  pid_t kmsPid = -1;
  int kmsOut = -1;
  uint16_t kmsPort = 0;
  KmsEndpoint endpoint;
  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
};

}  // namespace clemmys::kmsclient::testing
