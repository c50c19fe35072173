// Google Benchmark of the KMS release path's pieces (in-process, no network):
// sim quote verification, sealing the reply, and a whole Releaser::release.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "attest/dcap_verifier.h"
#include "attest/trust_anchors.h"
#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/hkdf.h"
#include "crypto/sealed_box.h"
#include "kms/fake_platform.h"
#include "kms/protocol.h"
#include "kms/release.h"
#include "policy/policy_test_util.h"
#include "policy/update.h"
#include "simtee/quote_builder.h"

namespace {

using namespace clemmys;
namespace json = boost::json;

std::string makeDir(const std::filesystem::path& p) {
  std::filesystem::create_directories(p);  // the simtee creates its own 0700 state dir
  return p.string();
}

simtee::Installation mustInstall(const std::string& dir, const Clock& clock) {
  auto inst = simtee::loadOrCreateInstallation(dir, clock);
  if (!inst) {
    std::fprintf(stderr, "sim installation: %s\n", inst.error().str().c_str());
    std::abort();
  }
  return std::move(*inst);
}

struct World {
  SystemClock clock;
  SystemRandom random;
  std::string dir = makeDir(std::filesystem::temp_directory_path() / ("kms-micro-" + random.hex(6)));
  simtee::Installation inst = mustInstall(dir + "/simtee", clock);
  crypto::Sha256Digest measurement{};
  attest::DcapVerifier verifier{attest::EvidenceType::kSim,
                                inst.rootCert.publicKey().spkiDer(),
                                clock};
  kms::testing::FakePlatform platform;
  kms::SealedStore store{dir + "/kms.store", platform, random};
  std::unique_ptr<kms::SessionManager> sessions;
  kms::NonceRegistry nonces{clock, random};
  std::unique_ptr<kms::AuditLog> audit;
  kms::VerifierMap verifiers;
  std::unique_ptr<kms::Releaser> releaser;

  World() {
    measurement.fill(0xaa);
    (void)store.load();
    sessions = std::make_unique<kms::SessionManager>(kms::KmsState{}, store, random, clock);
    auto owner = *crypto::EcPrivateKey::generateP256();
    std::string yaml = policy::testing::samplePolicy(owner);
    (void)sessions->apply(yaml, *policy::signPolicy(*policy::parsePolicy(yaml), owner));
    audit = std::move(*kms::AuditLog::open(dir + "/audit.log", clock));
    verifiers["sim"] = std::make_unique<attest::DcapVerifier>(
        attest::EvidenceType::kSim,
        inst.rootCert.publicKey().spkiDer(), clock);
    releaser = std::make_unique<kms::Releaser>(*sessions, nonces, verifiers, *audit, random);
  }
  ~World() { std::filesystem::remove_all(dir); }
};

World& world() {
  static World w;  // benchmark fixture shared by the cases below
  return w;
}

void BM_BuildSimQuote(benchmark::State& state) {
  tee::ReportData rd{};
  for (auto _ : state) benchmark::DoNotOptimize(simtee::buildQuote(world().inst, world().measurement, rd));
}

void BM_VerifySimQuote(benchmark::State& state) {
  tee::ReportData rd{};
  auto quote = *simtee::buildQuote(world().inst, world().measurement, rd);
  for (auto _ : state) benchmark::DoNotOptimize(world().verifier.verify(crypto::asBytes(quote), {}));
}

void BM_SealConfig(benchmark::State& state) {
  auto key = crypto::EcPrivateKey::generateP256()->publicKey();
  std::string config(2000, 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(crypto::sealToP256(key, crypto::asBytes(std::string(32, 'n')),
                                                crypto::asBytes(kms::kReleaseContext), crypto::asBytes(config),
                                                world().random));
  }
}

void BM_Release(benchmark::State& state) {
  auto& w = world();
  auto eph = *crypto::EcPrivateKey::generateP256();
  auto point = eph.publicPoint();
  std::string m = std::string(64, 'a');
  auto raw = *fromHex(m);
  crypto::Sha256Digest meas{};
  std::copy(raw.begin(), raw.end(), meas.begin());
  for (auto _ : state) {
    state.PauseTiming();
    std::string nonce = *w.nonces.issue();
    auto quote = *simtee::buildQuote(w.inst, meas, kms::attestReportData(crypto::asBytes(nonce), point));
    json::object req{{"session", "demo"},
                     {"service", "runtime"},
                     {"function", "guest/hello"},
                     {"nonce", base64UrlEncode(nonce)},
                     {"evidence", base64UrlEncode(quote)},
                     {"evidence_type", "sim"},
                     {"ephemeral_public_key", base64UrlEncode(std::string(point.begin(), point.end()))}};
    state.ResumeTiming();
    auto r = w.releaser->release(req);
    if (!r) state.SkipWithError(r.error().str().c_str());
  }
}

void BM_Keygen(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(crypto::EcPrivateKey::generateP256());
}
void BM_PointParse(benchmark::State& state) {
  auto point = crypto::EcPrivateKey::generateP256()->publicPoint();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::p256FromPoint(point));
}
void BM_Ecdh(benchmark::State& state) {
  auto a = *crypto::EcPrivateKey::generateP256();
  auto b = crypto::EcPrivateKey::generateP256()->publicKey();
  for (auto _ : state) benchmark::DoNotOptimize(a.ecdh(b));
}
void BM_Hkdf(benchmark::State& state) {
  std::string ikm(32, 'k');
  for (auto _ : state) benchmark::DoNotOptimize(crypto::hkdfSha256(crypto::asBytes(ikm), crypto::asBytes(ikm), crypto::asBytes(ikm), 32));
}

// The real Intel SGX sample quote (../shared/evidence, read in place): a full DCAP
// verification against the pinned Intel root — PCK chain, QE report, attestation-key
// binding, quote signature — evaluated at a time inside the chain's validity.
std::string readEvidence(const char* name) {
  std::FILE* f = std::fopen((std::string(CLEMMYS_EVIDENCE_DIR) + "/" + name).c_str(), "rb");
  std::string out;
  if (!f) return out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

void verifySgxSample(benchmark::State& state, bool withCollateral) {
  SystemClock clock;
  attest::DcapVerifier verifier(attest::EvidenceType::kSgx, attest::intelSgxRootSpki(), clock);
  std::string quote = readEvidence("sgx/sgx_quote");
  attest::VerifyOptions options;
  options.evaluationTime = 1751328000;  // 2025-07-01T00:00:00Z
  if (withCollateral) options.collateralJson = readEvidence("sgx/sgx_quote_collateral.json");
  if (quote.empty() || (withCollateral && options.collateralJson->empty())) {
    state.SkipWithError("evidence not found under CLEMMYS_EVIDENCE_DIR");
    return;
  }
  for (auto _ : state) {
    auto claims = verifier.verify(crypto::asBytes(quote), options);
    if (!claims) {
      state.SkipWithError(claims.error().str().c_str());
      return;
    }
    benchmark::DoNotOptimize(claims);
  }
  state.counters["verifications/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
void BM_VerifySgxSampleQuote(benchmark::State& state) { verifySgxSample(state, false); }
void BM_VerifySgxSampleWithCollateral(benchmark::State& state) { verifySgxSample(state, true); }

BENCHMARK(BM_Keygen)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PointParse)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Ecdh)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Hkdf)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BuildSimQuote)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VerifySimQuote)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SealConfig)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Release)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VerifySgxSampleQuote)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_VerifySgxSampleWithCollateral)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
