// Platform benchmark (plain mode): warm blocking no-op invoke latency (1 connection),
// throughput (16 connections) and cold-start latency for the cpp, python:3 and
// nodejs:20 kinds, against a baseline measured in the same run: the cpp no-op /run
// straight on one clemmys-runtime, without controller or invoker.
//
// Usage: platform_bench [--build DIR] [--seconds S] [--requests N] [--cold N]
// It starts `clemmys up --plain` itself on a free port in a temporary directory.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/subprocess.h"
#include "http/client.h"

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace clemmys;

namespace {

struct Target {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string authHeader;
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

bool deploy(http::Client& c, const Target& t, const std::string& name, const std::string& kind,
            const std::string& code) {
  json::object exec{{"kind", kind}, {"code", code}};
  std::string body = json::serialize(json::object{{"exec", exec}});
  auto r = c.request("PUT", "/api/v1/namespaces/_/actions/" + name + "?overwrite=true", body,
                     {{"Authorization", t.authHeader}});
  if (!r || r->status != 200) {
    std::cerr << "deploy " << name << " failed: " << (r ? r->body : r.error().str()) << "\n";
    return false;
  }
  return true;
}

// One blocking invoke; returns latency in microseconds, or -1 on failure.
double invoke(http::Client& c, const Target& t, const std::string& name) {
  int64_t start = monotonicUs();
  auto r = c.request("POST", "/api/v1/namespaces/_/actions/" + name + "?blocking=true&result=true",
                     "{}", {{"Authorization", t.authHeader}});
  if (!r || r->status != 200) return -1;
  return static_cast<double>(monotonicUs() - start);
}

struct KindResult {
  std::string kind;
  double p50 = 0, p99 = 0, throughput = 0, coldMs = 0;
  int errors = 0;
};

KindResult measureKind(const Target& t, const std::string& kind, const std::string& code,
                       int requests, int seconds, int coldRuns) {
  KindResult k;
  k.kind = kind;
  http::Client c(t.host, t.port);
  std::string name = "bench-" + std::string(kind == "cpp" ? "cpp" : kind == "python:3" ? "py" : "js");
  if (!deploy(c, t, name, kind, code)) return k;
  for (int i = 0; i < 50; ++i) invoke(c, t, name);  // warm up
  std::vector<double> lat;
  for (int i = 0; i < requests; ++i) {
    double us = invoke(c, t, name);
    if (us < 0) ++k.errors; else lat.push_back(us);
  }
  k.p50 = percentile(lat, 0.5);
  k.p99 = percentile(lat, 0.99);

  std::atomic<long> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&] {
      http::Client tc(t.host, t.port);
      while (!stop) {
        if (invoke(tc, t, name) >= 0) ++done;
      }
    });
  int64_t start = monotonicUs();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  k.throughput = static_cast<double>(done) / (static_cast<double>(monotonicUs() - start) / 1e6);

  std::vector<double> cold;
  for (int i = 0; i < coldRuns; ++i) {
    std::string fresh = name + "-cold-" + std::to_string(i) + "-" + std::to_string(getpid());
    if (!deploy(c, t, fresh, kind, code)) continue;
    double us = invoke(c, t, fresh);
    if (us >= 0) cold.push_back(us / 1000.0);
  }
  k.coldMs = percentile(cold, 0.5);
  return k;
}

// Baseline: /init + warm /run of the cpp no-op straight on one clemmys-runtime.
double runtimeBaselineP50(const std::string& bin, const std::string& code, int requests) {
  SpawnOptions o;
  // Bind a socket ourselves and pass it, as the invoker does.
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 64) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    return -1;
  o.argv = {bin + "/clemmys-runtime", "--listen-fd", "3"};
  // The runtime prints sentinel lines per activation; they are not ours to show.
  int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  o.passFds = {{s, 3}, {devnull, 1}, {devnull, 2}};
  o.nullStdin = true;
  auto child = spawn(o);
  ::close(s);
  ::close(devnull);
  if (!child) return -1;
  http::Client c("127.0.0.1", ntohs(a.sin_port));
  json::object value{{"name", "noop"}, {"main", "main"}, {"code", code}, {"binary", true},
                     {"kind", "cpp"}, {"env", json::object{}}};
  auto init = c.request("POST", "/init", json::serialize(json::object{{"value", value}}));
  if (!init || init->status != 200) return -1;
  std::string run = R"({"value":{},"namespace":"guest","action_name":"/guest/noop","action_version":"0.0.1","activation_id":"00000000000000000000000000000000","transaction_id":"t","deadline":"99999999999999"})";
  std::vector<double> lat;
  for (int i = 0; i < requests + 50; ++i) {
    int64_t start = monotonicUs();
    auto r = c.request("POST", "/run", run);
    if (r && r->status == 200 && i >= 50) lat.push_back(static_cast<double>(monotonicUs() - start));
  }
  child->terminate();
  return percentile(lat, 0.5);
}

}  // namespace

int main(int argc, char** argv) {
  std::string build = "build";
  int seconds = 5, requests = 2000, coldRuns = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--build" && i + 1 < argc) build = argv[++i];
    else if (a == "--seconds" && i + 1 < argc) seconds = std::atoi(argv[++i]);
    else if (a == "--requests" && i + 1 < argc) requests = std::atoi(argv[++i]);
    else if (a == "--cold" && i + 1 < argc) coldRuns = std::atoi(argv[++i]);
    else {
      std::cerr << "usage: platform_bench [--build DIR] [--seconds S] [--requests N] [--cold N]\n";
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  std::string bin = fs::absolute(build + "/bin").string();
  std::string noopSo = readFile(build + "/examples/libnoop.so");
  if (noopSo.empty()) {
    std::cerr << "missing " << build << "/examples/libnoop.so (build the examples first)\n";
    return 1;
  }
  std::string cppCode = base64Encode(noopSo);
  std::string pyCode = "def main(args):\n    return {}\n";
  std::string jsCode = "function main(args) { return {}; }";

  std::string dataDir = fs::temp_directory_path() / ("clemmys-bench-" + std::to_string(getpid()));
  SpawnOptions o;
  // No prewarmed instances: the cold-start column measures launch + /init + first run.
  o.argv = {bin + "/clemmys", "up", "--plain", "--port", "0", "--data-dir", dataDir,
            "--prewarm", "cpp=0", "--prewarm", "python:3=0", "--prewarm", "nodejs:20=0"};
  o.pipeStdout = true;
  auto up = spawn(o);
  if (!up) {
    std::cerr << up.error().str() << "\n";
    return 1;
  }
  std::string line;
  {
    char ch;
    while (::read(up->stdoutFd(), &ch, 1) == 1) {
      if (ch == '\n') {
        if (line.rfind("clemmys ready", 0) == 0) break;
        line.clear();
      } else {
        line += ch;
      }
    }
  }
  if (line.rfind("clemmys ready", 0) != 0) {
    std::cerr << "clemmys up did not become ready\n";
    return 1;
  }
  Target t;
  std::string props = readFile(dataDir + "/wskprops");
  auto apiPos = props.find("APIHOST=http://127.0.0.1:");
  auto authPos = props.find("AUTH=");
  t.port = static_cast<uint16_t>(std::atoi(props.c_str() + apiPos + 25));
  std::string auth = props.substr(authPos + 5, props.find('\n', authPos) - authPos - 5);
  t.authHeader = "Basic " + base64Encode(auth);

  double baseline = runtimeBaselineP50(bin, cppCode, requests);
  std::vector<KindResult> results;
  results.push_back(measureKind(t, "cpp", cppCode, requests, seconds, coldRuns));
  results.push_back(measureKind(t, "python:3", pyCode, requests, seconds, coldRuns));
  results.push_back(measureKind(t, "nodejs:20", jsCode, requests, seconds, coldRuns));
  up->terminate(std::chrono::milliseconds(5000));
  fs::remove_all(dataDir);

  std::printf("\nClemmys plain mode, blocking no-op invokes (%d sequential requests, %d s at 16 connections)\n\n",
              requests, seconds);
  std::printf("| kind      | warm p50 (us) | warm p99 (us) | throughput (req/s, 16 conn) | cold start p50 (ms) | errors |\n");
  std::printf("|-----------|---------------|---------------|-----------------------------|---------------------|--------|\n");
  for (auto& k : results)
    std::printf("| %-9s | %13.0f | %13.0f | %27.0f | %19.1f | %6d |\n", k.kind.c_str(), k.p50, k.p99,
                k.throughput, k.coldMs, k.errors);
  std::printf("\nBaseline (same run): cpp no-op /run straight on clemmys-runtime, p50 = %.0f us\n", baseline);
  if (baseline > 0)
    std::printf("Ratio cpp warm p50 through controller+invoker / runtime alone: %.2fx\n",
                results[0].p50 / baseline);
  return 0;
}
