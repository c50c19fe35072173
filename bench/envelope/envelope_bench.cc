// Google Benchmark of one hop's envelope work (in-process): the key derivation, a
// runtime accepting an INVOKE (R1–R8) and sealing its output, and the gateway's step 0
// and outcome check. Baseline in the same run: AES-256-GCM alone on the same body.
#include <benchmark/benchmark.h>

#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "crypto/aead.h"
#include "envelope/checks.h"

namespace {

using namespace clemmys;
using namespace clemmys::envelope;

struct Fixture {
  SystemRandom random;
  SystemClock clock;
  KeyRing keys;
  ChainSpec chain;
  Fixture() {
    keys.add(1, crypto::SecretBytes(crypto::asBytes(random.bytes(32))));
    chain.seq = "/guest/f";
    chain.steps.push_back(Link{"/guest/f", codeDigest("cpp", "main", "code")});
  }
  Bytes firstInvoke(Id& id) {
    random.fill(id.data(), id.size());
    uint64_t expires = static_cast<uint64_t>(clock.nowMs()) + 60000;
    return *sealFirstInvoke(id, chain, expires, "{}", 1, keys, random);
  }
};

void BM_AesGcmSealOpen(benchmark::State& state) {
  SystemRandom random;
  auto key = random.bytes(32);
  std::array<uint8_t, 12> nonce{};
  Bytes body(200, 'x');
  for (auto _ : state) {
    auto sealed = crypto::aesGcmSeal(crypto::asBytes(key), nonce, body, {});
    auto opened = crypto::aesGcmOpen(crypto::asBytes(key), nonce, *sealed, {});
    benchmark::DoNotOptimize(opened);
  }
}
BENCHMARK(BM_AesGcmSealOpen);

void BM_KeyDerive(benchmark::State& state) {
  Fixture f;
  Id id{};
  for (auto _ : state) benchmark::DoNotOptimize(f.keys.derive(1, id, Type::invoke));
}
BENCHMARK(BM_KeyDerive);

void BM_GatewayStep0(benchmark::State& state) {
  Fixture f;
  Id id{};
  for (auto _ : state) benchmark::DoNotOptimize(f.firstInvoke(id));
}
BENCHMARK(BM_GatewayStep0);

void BM_RuntimeAcceptAndSeal(benchmark::State& state) {
  Fixture f;
  InvokeGuard guard(f.keys, f.clock, FunctionIdentity{"/guest/f", f.chain.steps[0].codeDigest}, kMaxLifetimeMs);
  Id id{};
  for (auto _ : state) {
    state.PauseTiming();
    Bytes in = f.firstInvoke(id);
    state.ResumeTiming();
    auto accepted = guard.accept(in);
    auto out = sealOutput(*accepted, "{}", false, f.keys, f.random);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RuntimeAcceptAndSeal);

void BM_Wire(benchmark::State& state) {
  Fixture f;
  Id id{};
  Bytes in = f.firstInvoke(id);
  for (auto _ : state) benchmark::DoNotOptimize(fromWire(toWire(in)));
}
BENCHMARK(BM_Wire);

}  // namespace

BENCHMARK_MAIN();
