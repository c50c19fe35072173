// kms_bench: attestations per second and latency (challenge -> opened
// configuration) against a real clemmys-kms with sim evidence.
//
//   kms_bench [--total N] [--threads T]
//
// The driver starts clemmys-simtee and clemmys-kms (found beside this binary)
// in a temp dir, applies a policy accepting the worker's measurement, and
// launches itself through the simtee as the worker (`kms_bench --worker`, so
// the simtee signs its quotes). The worker runs T threads, each with its own
// persistent TLS connection, and prints per-attestation latencies; the driver
// prints the table.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/subprocess.h"
#include "kms/protocol.h"
#include "kmsclient/attest_client.h"
#include "kmsclient/kms_verify.h"
#include "kmsclient/owner_client.h"
#include "tee/simtee_client.h"

namespace {

using namespace clemmys;
namespace json = boost::json;

std::string envOr(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

std::string readAll(int fd, int timeoutMs, bool oneLine) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  char c[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::read(fd, c, oneLine ? 1 : sizeof(c));
    if (n <= 0) break;
    if (oneLine && c[0] == '\n') break;
    out.append(c, static_cast<size_t>(n));
  }
  return out;
}

int worker() {
  kmsclient::KmsEndpoint endpoint{"127.0.0.1", static_cast<uint16_t>(std::atoi(envOr("KMS_PORT").c_str())),
                                  envOr("KMS_CERT")};
  int total = std::atoi(envOr("TOTAL", "2000").c_str()), threads = std::atoi(envOr("THREADS", "4").c_str());
  kmsclient::AttestRequest req{"bench", "runtime", std::string("guest/bench")};
  std::mutex mu;
  std::vector<int64_t> latencies;
  std::atomic<int> next{0}, errors{0};
  std::string firstError;
  std::vector<int64_t> stepUs(3, 0);  // challenge, quote, attest (summed over all)
  int64_t start = monotonicUs();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto client = kmsclient::pinnedClient(endpoint);
      tee::SimAttester attester(envOr("CLEMMYS_SIMTEE_SOCKET"));
      std::vector<int64_t> mine;
      std::vector<int64_t> parts(3, 0);
      while (next.fetch_add(1) < total) {
        // The steps of fetchConfiguration, timed separately.
        int64_t t0 = monotonicUs();
        auto eph = *crypto::EcPrivateKey::generateP256();
        auto nonce = kmsclient::requestChallenge(*client);
        int64_t t1 = monotonicUs();
        Result<std::string> evidence = nonce ? attester.evidence(kms::attestReportData(crypto::asBytes(*nonce), eph.publicPoint()))
                                             : Result<std::string>(std::unexpected(nonce.error()));
        int64_t t2 = monotonicUs();
        auto r = evidence ? kmsclient::submitEvidence(*client, req, *nonce, *evidence, attester.type(), eph)
                          : Result<json::object>(std::unexpected(evidence.error()));
        int64_t t3 = monotonicUs();
        mine.push_back(t3 - t0);
        parts[0] += t1 - t0;
        parts[1] += t2 - t1;
        parts[2] += t3 - t2;
        if (!r) {
          ++errors;
          std::lock_guard lock(mu);
          if (firstError.empty()) firstError = r.error().str();
        }
      }
      {
        std::lock_guard lock(mu);
        for (int i = 0; i < 3; ++i) stepUs[i] += parts[i];
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : pool) t.join();
  int64_t elapsed = monotonicUs() - start;
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies.empty() ? 0 : latencies[static_cast<size_t>(p * (latencies.size() - 1))]; };
  std::printf("%s\n", json::serialize(json::object{{"total", total},
                                                   {"threads", threads},
                                                   {"errors", errors.load()},
                                                   {"first_error", firstError},
                                                   {"elapsed_us", elapsed},
                                                   {"p50_us", pct(0.5)},
                                                   {"p90_us", pct(0.9)},
                                                   {"p99_us", pct(0.99)},
                                                   {"challenge_us", stepUs[0] / std::max(total, 1)},
                                                   {"quote_us", stepUs[1] / std::max(total, 1)},
                                                   {"attest_us", stepUs[2] / std::max(total, 1)}})
                          .c_str());
  return errors.load() == 0 ? 0 : 1;
}

// utime + stime of a process, in milliseconds (0 once it is gone).
double cpuMs(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string measure(const std::string& simtee, const std::string& exe) {
  SpawnOptions o;
  o.argv = {simtee, "measure", "--", exe, "--worker"};
  o.pipeStdout = true;
  auto child = spawn(o);
  if (!child) return "";
  std::string out = readAll(child->stdoutFd(), 10000, true);
  child->wait();
  return out;
}

int driver(int total, const std::vector<int>& threadCounts) {
  std::string bin = selfDirectory();
  std::string simtee = bin + "/clemmys-simtee", kmsBin = bin + "/clemmys-kms", self = bin + "/kms_bench";
  char tmpl[] = "/tmp/clemmys-kms-bench-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string socket = dir + "/simtee.sock";
  SpawnOptions o;
  o.argv = {simtee, "--socket", socket, "--state-dir", dir + "/simtee"};
  o.pipeStderr = true;  // keep its per-launch log lines out of the table
  auto daemon = spawn(o);
  if (!daemon) return std::fprintf(stderr, "%s\n", daemon.error().str().c_str()), 1;
  for (int i = 0; i < 250 && !std::filesystem::exists(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  tee::SimteeClient simteeClient(socket);

  int listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ::bind(listenFd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::listen(listenFd, 512);
  ::getsockname(listenFd, reinterpret_cast<sockaddr*>(&addr), &len);
  uint16_t port = ntohs(addr.sin_port);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return 1;
  tee::LaunchRequest kmsReq;
  kmsReq.argv = {kmsBin, "--state-dir", dir + "/kms", "--listen-fd", "3"};
  kmsReq.fds = {{listenFd, 3}, {out[1], 1}, {out[1], 2}};
  auto kms = simteeClient.launch(kmsReq);
  ::close(listenFd);
  ::close(out[1]);
  if (!kms) return std::fprintf(stderr, "%s\n", kms.error().str().c_str()), 1;
  std::string ready = readAll(out[0], 30000, true);
  if (ready.find("listening") == std::string::npos) return std::fprintf(stderr, "kms: %s\n", ready.c_str()), 1;

  SystemClock clock;
  auto verified = kmsclient::verifyKms(kmsclient::KmsEndpoint{"127.0.0.1", port, ""}, kms->measurementHex,
                                       *simteeClient.rootCertificatePem(), clock);
  if (!verified) return std::fprintf(stderr, "%s\n", verified.error().str().c_str()), 1;
  kmsclient::KmsEndpoint endpoint{"127.0.0.1", port, verified->certificatePem};
  auto owner = *crypto::EcPrivateKey::generateP256();
  std::string pem = crypto::publicKeyPem(owner.publicKey());
  std::string indented;
  for (size_t pos = 0; pos < pem.size();) {
    size_t nl = pem.find('\n', pos);
    indented += "    " + pem.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  std::string yaml = "name: bench\nversion: 1\nowners:\n  - |\n" + indented +
                     "services:\n  runtime: {measurements: [" + measure(simtee, self) + "], evidence: [sim]}\n"
                     "functions:\n  guest/bench: {env: {KEY: \"$$secret:k$$\"}}\n"
                     "secrets:\n  - {name: k, kind: aes-256}\n";
  auto client = *kmsclient::pinnedClient(endpoint);
  if (auto a = kmsclient::applyPolicy(client, yaml, owner); !a) {
    return std::fprintf(stderr, "%s\n", a.error().str().c_str()), 1;
  }

  std::printf("KMS attest -> release, sim evidence, %u cores, %d attestations per row (times in ms;\n"
              "challenge/quote/attest: mean per attestation; cpu/att: process CPU per attestation)\n",
              std::thread::hardware_concurrency(), total);
  std::printf("%-8s %9s %7s %7s %7s %10s %9s %10s %12s %13s %7s\n", "threads", "attest/s", "p50 ms", "p90 ms",
              "p99 ms", "challenge", "quote", "attest", "KMS cpu/att", "simtee cpu/att", "errors");
  int rc = 0;
  for (int threads : threadCounts) {
    int wout[2];
    if (::pipe2(wout, O_CLOEXEC) != 0) return 1;
    tee::LaunchRequest w;
    w.argv = {self, "--worker"};
    w.env = {"KMS_PORT=" + std::to_string(port), "KMS_CERT=" + endpoint.certificatePem,
             "TOTAL=" + std::to_string(total), "THREADS=" + std::to_string(threads)};
    w.fds = {{wout[1], 1}, {2, 2}};
    double kmsCpu0 = cpuMs(kms->pid), simteeCpu0 = cpuMs(daemon->pid());
    auto launched = simteeClient.launch(w);
    ::close(wout[1]);
    if (!launched) return std::fprintf(stderr, "%s\n", launched.error().str().c_str()), 1;
    std::string line = readAll(wout[0], 600000, true);
    ::close(wout[0]);
    double kmsCpu = (cpuMs(kms->pid) - kmsCpu0) / total, simteeCpu = (cpuMs(daemon->pid()) - simteeCpu0) / total;
    try {
      auto r = json::parse(line).as_object();
      double secs = static_cast<double>(r.at("elapsed_us").as_int64()) / 1e6;
      auto ms = [&](const char* k) { return static_cast<double>(r.at(k).as_int64()) / 1000.0; };
      std::printf("%-8d %9.0f %7.2f %7.2f %7.2f %10.2f %9.2f %10.2f %12.3f %13.3f %7lld\n", threads,
                  static_cast<double>(total) / secs, ms("p50_us"), ms("p90_us"), ms("p99_us"), ms("challenge_us"),
                  ms("quote_us"), ms("attest_us"), kmsCpu, simteeCpu,
                  static_cast<long long>(r.at("errors").as_int64()));
      if (r.at("errors").as_int64() != 0) {
        std::printf("  first error: %s\n", std::string(r.at("first_error").as_string()).c_str());
        rc = 1;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "worker output: %s\n", line.c_str());
      rc = 1;
    }
  }
  (void)simteeClient.signal(kms->pid, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  daemon->terminate();
  std::filesystem::remove_all(dir);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  int total = 2000;
  std::vector<int> threads = {1, 2, 4, 8};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--worker") return worker();
    if (a == "--total" && i + 1 < argc) total = std::atoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = {std::atoi(argv[++i])};
    else return std::fprintf(stderr, "usage: kms_bench [--total N] [--threads T]\n"), 2;
  }
  return driver(total, threads);
}
