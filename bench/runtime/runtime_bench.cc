// Google Benchmark of one warm /run inside the runtime (in-process, no HTTP): the
// plain ActionProxy against the secure path (open and check the INVOKE, run, seal the
// output, end the sealed log stream) for the no-op cpp function, with chains of 1 and
// 10 steps. The plain figure is the baseline of the same run. Arguments: /chain length
// /caches cleared (1: 8 MiB written between iterations, untimed).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "runtime/log_sealer.h"
#include "runtime/secure_proxy.h"
#include "runtime/secure_test_util.h"

namespace {

using namespace clemmys;
using namespace clemmys::runtime;
namespace json = boost::json;

class FixedKeys : public KeySource {
 public:
  explicit FixedKeys(std::string key) : key_(std::move(key)) {}
  Result<json::object> fetch(const std::optional<std::string>& function) override {
    if (function) return fail("kms.unknown_function", *function);
    return json::object{{"keys", json::array{json::object{{"version", 1}, {"key", base64UrlEncode(key_)}}}}};
  }

 private:
  std::string key_;
};

int devNull() {
  int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) std::abort();
  return fd;
}

std::string library() { return runtime::testing::readFileText(CLEMMYS_NOOP_LIB); }

// With range(1) == 1, each iteration first writes 8 MiB (untimed) to stand in for the
// other processes of a request's path (gateway, controller, load generator), which run
// between two /runs of a runtime and leave its data and code out of the caches.
void pollute(benchmark::State& state) {
  static std::vector<char> junk(8u << 20);
  if (state.range(1) == 0) return;
  state.PauseTiming();
  for (size_t i = 0; i < junk.size(); i += 64) junk[i] = static_cast<char>(junk[i] + 1);
  benchmark::ClobberMemory();
  state.ResumeTiming();
}

void BM_PlainRun(benchmark::State& state) {
  SystemClock clock;
  ProxyOptions o;
  o.stdoutFd = devNull();
  o.stderrFd = devNull();
  ActionProxy proxy(o, clock);
  json::object init{{"value", json::object{{"code", base64Encode(library())}, {"binary", true}, {"main", "main"}}}};
  if (proxy.init(json::serialize(init)).status != 200) std::abort();
  std::string body = json::serialize(json::object{{"value", json::object()},
                                                  {"activation_id", "0123456789abcdef0123456789abcdef"},
                                                  {"action_name", "/guest/f"},
                                                  {"deadline", "99999999999999"}});
  for (auto _ : state) {
    pollute(state);
    auto r = proxy.run(body);
    if (r.status != 200) state.SkipWithError("run failed");
  }
}
BENCHMARK(BM_PlainRun)->Args({0, 0})->Args({0, 1});

void BM_SecureRun(benchmark::State& state) {
  SystemClock clock;
  SystemRandom random;
  std::string key = random.bytes(32);
  FixedKeys kms(key);
  envelope::KeyRing keys, gatewayKeys;
  keys.add(1, crypto::SecretBytes(crypto::asBytes(key)));
  gatewayKeys.add(1, crypto::SecretBytes(crypto::asBytes(key)));
  ProxyOptions o;
  o.sentinel.clear();
  ActionProxy proxy(o, clock);
  int out = devNull(), err = devNull();
  auto logs = LogSealer::start(keys, random, std::string(kSentinel), out, err);
  if (!logs) std::abort();
  SecureProxy secure(SecureDeps{proxy, kms, keys, clock, random, logs->get(), nullptr});
  const std::string fqn = "/guest/f";
  auto code = runtime::testing::sealCode(fqn, "cpp", base64Encode(library()), true, gatewayKeys, random);
  json::object init{{"value", json::object{{"name", fqn}, {"main", "main"}, {"code", code.wire}}}};
  if (secure.init(json::serialize(init)).status != 200) std::abort();
  envelope::ChainSpec chain{fqn, {}};
  for (int64_t i = 0; i < state.range(0); ++i) chain.steps.push_back({fqn, code.digest});
  runtime::testing::Gateway gateway(gatewayKeys, clock, random);
  envelope::Id id;
  for (auto _ : state) {
    state.PauseTiming();
    std::string body = runtime::testing::runBody(gateway.invoke(chain, "{}", id));
    state.ResumeTiming();
    pollute(state);
    auto r = secure.run(body);
    if (r.status != 200) state.SkipWithError(r.body.c_str());
  }
}
BENCHMARK(BM_SecureRun)->Args({1, 0})->Args({10, 0})->Args({10, 1});

}  // namespace

BENCHMARK_MAIN();
