// The KMS's evidence decision (evidence_check.h, steps 4–9 of POST /v1/attest)
// on the recorded real evidence in ../shared/evidence/ with its collateral,
// through the verifiers a KMS runs (hardwareVerifiers). Recorded evidence
// cannot bind a fresh nonce, so its own REPORTDATA stands in for the binding
// here; release_evidence_test.cc sends the same files through Releaser::release,
// where that binding refuses them.
#include "kms/evidence_check.h"

#include <gtest/gtest.h>

#include "attest/test_evidence.h"
#include "attest/trust_anchors.h"
#include "crypto/x509.h"

namespace clemmys::kms {
namespace {

using attest::testing::at;
using attest::testing::readEvidence;
using attest::testing::readEvidenceBytes;

using namespace attest::testing;  // the recorded files' measurements (kSgxMrEnclave, ...)
const std::string kZero48(96, '0');

policy::ServicePolicy service(const std::string& measurement, const std::string& type,
                              std::vector<std::string> tcb = {"UpToDate"}) {
  policy::ServicePolicy s;
  s.measurements = {measurement};
  s.evidence = {type};
  s.tcbStatus = std::move(tcb);
  return s;
}

// A one-character change: a look-alike of the right value.
std::string flipped(std::string hex) {
  hex[5] = hex[5] == '0' ? '1' : '0';
  return hex;
}

class EvidenceDecision : public ::testing::Test {
 protected:
  void setTime(const char* rfc3339) { clock_.advance(at(rfc3339) * 1000 - clock_.nowMs()); }

  // The options Releaser::release builds from a request's verifier inputs.
  attest::VerifyOptions inputs(const char* collateral = nullptr) {
    attest::VerifyOptions o;
    if (collateral) o.collateralJson = readEvidence(collateral);
    return o;
  }
  attest::VerifyOptions snpInputs(const char* leaf, const char* chain) {
    attest::VerifyOptions o;
    o.snpLeafCert = readEvidence(leaf);
    o.snpCaChainPem = readEvidence(chain);
    return o;
  }
  // "release" or the named refusal.
  std::string decide(const policy::ServicePolicy& s, const std::string& type, const char* file,
                     const attest::VerifyOptions& o) {
    auto claims = verifyEvidence(s, verifiers_, type, readEvidenceBytes(file), o);
    if (!claims) return claims.error().name;
    auto st = checkClaims(s, *claims, claims->reportData);
    return st ? "release" : st.error().name;
  }

  FakeClock clock_{at("2025-07-01T00:00:00Z") * 1000};
  VerifierMap verifiers_ = hardwareVerifiers(clock_);
};

TEST_F(EvidenceDecision, PinnedIntelRootIsTheRecordedOne) {
  auto root = crypto::Certificate::fromDer(readEvidenceBytes("sgx/intel_sgx_root_ca.der"));
  ASSERT_TRUE(root) << root.error().str();
  EXPECT_EQ(root->publicKey().spkiDer(), attest::intelSgxRootSpki());
}

TEST_F(EvidenceDecision, SgxQuoteWithCollateral) {
  const char* q = "sgx/sgx_quote";
  const char* c = "sgx/sgx_quote_collateral.json";
  auto accepted = service(kSgxMrEnclave, "sgx", {"ConfigurationAndSWHardeningNeeded"});
  EXPECT_EQ(decide(accepted, "sgx", q, inputs(c)), "release");
  policy::ServicePolicy bySigner = accepted;
  bySigner.measurements.clear();
  bySigner.signer = kSgxMrSigner;
  EXPECT_EQ(decide(bySigner, "sgx", q, inputs(c)), "release");
  bySigner.minSvn = 1;  // the quote's ISVSVN is 0
  EXPECT_EQ(decide(bySigner, "sgx", q, inputs(c)), "kms.measurement_refused");
  EXPECT_EQ(decide(service(flipped(kSgxMrEnclave), "sgx", {"ConfigurationAndSWHardeningNeeded"}), "sgx", q, inputs(c)),
            "kms.measurement_refused");
  // Default policy: UpToDate only.
  EXPECT_EQ(decide(service(kSgxMrEnclave, "sgx"), "sgx", q, inputs(c)), "kms.tcb_status_refused");
  // Without collateral the status is Unknown: refused unless the policy lists it.
  EXPECT_EQ(decide(accepted, "sgx", q, inputs()), "kms.tcb_status_refused");
  EXPECT_EQ(decide(service(kSgxMrEnclave, "sgx", {"Unknown"}), "sgx", q, inputs()), "release");
  // Not tolerated, or declared as another type.
  EXPECT_EQ(decide(service(kSgxMrEnclave, "tdx"), "tdx", q, inputs(c)), "attest.quote_wrong_tee");
  EXPECT_EQ(decide(accepted, "tdx", q, inputs(c)), "kms.evidence_not_tolerated");
}

TEST_F(EvidenceDecision, SgxCollateralOutsideItsWindowIsRefused) {
  auto accepted = service(kSgxMrEnclave, "sgx", {"ConfigurationAndSWHardeningNeeded"});
  setTime("2025-07-19T10:10:00Z");
  EXPECT_EQ(decide(accepted, "sgx", "sgx/sgx_quote", inputs("sgx/sgx_quote_collateral.json")),
            "attest.qe_identity_expired");
  setTime("2025-09-01T00:00:00Z");
  EXPECT_EQ(decide(accepted, "sgx", "sgx/sgx_quote", inputs("sgx/sgx_quote_collateral.json")), "attest.crl_expired");
  setTime("2025-06-19T10:30:00Z");
  EXPECT_EQ(decide(accepted, "sgx", "sgx/sgx_quote", inputs("sgx/sgx_quote_collateral.json")),
            "attest.tcb_info_expired");
}

TEST_F(EvidenceDecision, SgxDebugEnclaveIsRefused) {
  auto s = service(kDebugMrEnclave, "sgx", {"Unknown"});
  EXPECT_EQ(decide(s, "sgx", "negative/sgx_debug_enclave_quote.dat", inputs()), "attest.debug_refused");
}

TEST_F(EvidenceDecision, LookalikeRootIsRefused) {
  auto s = service(std::string(64, '0'), "sgx", {"Unknown"});
  const char* q = "negative/intel_sample_quote_type1.dat";
  EXPECT_EQ(decide(s, "sgx", q, inputs()), "attest.pck_chain_missing");
  attest::VerifyOptions o;
  o.pckChainPem = readEvidence("negative/intel_sample_pck.pem") + readEvidence("negative/intel_sample_pck_chain.pem");
  EXPECT_EQ(decide(s, "sgx", q, o), "attest.pck_chain_untrusted_root");
  // The look-alike root itself, supplied as the chain's root, changes nothing.
  o.pckChainPem = readEvidence("negative/intel_sample_pck.pem") +
                  readEvidence("negative/intel_sample_pck_chain.pem").substr(
                      0, readEvidence("negative/intel_sample_pck_chain.pem").find("-----END CERTIFICATE-----") + 26) +
                  readEvidence("negative/intel_sample_lookalike_root.pem");
  EXPECT_EQ(decide(s, "sgx", q, o), "attest.pck_chain_untrusted_root");
}

TEST_F(EvidenceDecision, TdxQuoteWithCollateral) {
  const char* q = "tdx/tdx_quote";
  const char* c = "tdx/tdx_quote_collateral.json";
  EXPECT_EQ(decide(service(kTdxMrTd, "tdx"), "tdx", q, inputs(c)), "release");
  EXPECT_EQ(decide(service(flipped(kTdxMrTd), "tdx"), "tdx", q, inputs(c)), "kms.measurement_refused");
  EXPECT_EQ(decide(service(kTdxMrTd, "tdx"), "tdx", q, inputs()), "kms.tcb_status_refused");  // Unknown
  EXPECT_EQ(decide(service(kTdxMrTd, "sgx"), "sgx", q, inputs(c)), "attest.quote_wrong_tee");
  setTime("2025-09-01T00:00:00Z");
  EXPECT_EQ(decide(service(kTdxMrTd, "tdx"), "tdx", q, inputs(c)), "attest.crl_expired");
}

TEST_F(EvidenceDecision, TdxPolicyPinsRtmrsMrConfigIdAndMrOwner) {
  const char* q = "tdx/tdx_quote";
  auto c = inputs("tdx/tdx_quote_collateral.json");
  auto s = service(kTdxMrTd, "tdx");
  s.tdx.emplace();
  for (size_t i = 0; i < 4; ++i) s.tdx->rtmr[i] = kTdxRtmr[i];
  s.tdx->mrConfigId = kZero48;
  s.tdx->mrOwner = kZero48;
  EXPECT_EQ(decide(s, "tdx", q, c), "release");
  for (size_t i = 0; i < 4; ++i) {
    auto wrong = s;
    wrong.tdx->rtmr[i] = flipped(kTdxRtmr[i]);
    EXPECT_EQ(decide(wrong, "tdx", q, c), "kms.rtmr_refused") << "RTMR" << i;
  }
  auto onlyRtmr2 = service(kTdxMrTd, "tdx");
  onlyRtmr2.tdx.emplace();
  onlyRtmr2.tdx->rtmr[2] = kTdxRtmr[2];
  EXPECT_EQ(decide(onlyRtmr2, "tdx", q, c), "release");
  auto wrong = s;
  wrong.tdx->mrConfigId = flipped(kZero48);
  EXPECT_EQ(decide(wrong, "tdx", q, c), "kms.mrconfigid_refused");
  wrong = s;
  wrong.tdx->mrOwner = flipped(kZero48);
  EXPECT_EQ(decide(wrong, "tdx", q, c), "kms.mrowner_refused");
}

TEST_F(EvidenceDecision, TdxOutdatedQuoteIsRefusedByStatus) {
  setTime("2026-03-01T00:00:00Z");
  const char* q = "tdx/tdx_quote_outdated";
  auto c = inputs("tdx/tdx_quote_outdated_collateral.json");
  EXPECT_EQ(decide(service(kTdxOutdatedMrTd, "tdx"), "tdx", q, c), "kms.tcb_status_refused");
  EXPECT_EQ(decide(service(kTdxOutdatedMrTd, "tdx", {"UpToDate", "OutOfDate"}), "tdx", q, c), "kms.tcb_status_refused");
  // Only a policy that names the status releases to it.
  EXPECT_EQ(decide(service(kTdxOutdatedMrTd, "tdx", {"TcbNotSupported"}), "tdx", q, c), "release");
}

TEST_F(EvidenceDecision, SnpDebugGuestIsRefused) {
  auto s = service(kSnpDebugMeasurement, "snp", {"Unknown"});
  const char* r = "snp/go-sev-guest_attestation_debug.bin";
  EXPECT_EQ(decide(s, "snp", r, snpInputs("snp/go-sev-guest_vcek.der", "snp/ask_ark_milan.pem")),
            "attest.debug_refused");
  EXPECT_EQ(decide(s, "snp", r, attest::VerifyOptions{}), "attest.snp.leaf_missing");
  // Other products' AMD chains do not vouch for a Milan VCEK.
  for (const char* chain : {"snp/ask_ark_genoa.pem", "snp/ask_ark_turin_vcek.pem", "snp/ask_ark_milan_vlek.pem"}) {
    EXPECT_EQ(decide(s, "snp", r, snpInputs("snp/go-sev-guest_vcek.der", chain)), "attest.snp.chain_signature_invalid")
        << chain;
  }
}

TEST_F(EvidenceDecision, SnpVlekReport) {
  const char* r = "snp/trustee_vlek_report.bin";
  auto o = snpInputs("snp/trustee_vlek_expired_2025-12-10.der", "snp/trustee_milan_ask_ark_asvk.pem");
  // SNP evidence carries no DCAP collateral: its TCB status is Unknown.
  EXPECT_EQ(decide(service(kSnpVlekMeasurement, "snp", {"Unknown"}), "snp", r, o), "release");
  EXPECT_EQ(decide(service(kSnpVlekMeasurement, "snp"), "snp", r, o), "kms.tcb_status_refused");
  EXPECT_EQ(decide(service(flipped(kSnpVlekMeasurement), "snp", {"Unknown"}), "snp", r, o), "kms.measurement_refused");
  EXPECT_EQ(decide(service(kSnpVlekMeasurement, "snp", {"Unknown"}), "snp", r,
                   snpInputs("snp/trustee_vlek_expired_2025-12-10.der", "snp/ask_ark_milan_vlek.pem")),
            "release");
  EXPECT_EQ(decide(service(kSnpVlekMeasurement, "snp", {"Unknown"}), "snp", r,
                   snpInputs("snp/go-sev-guest_vcek.der", "snp/ask_ark_milan.pem")),
            "attest.snp.signing_key_mismatch");
  setTime("2026-01-01T00:00:00Z");  // the VLEK expired 2025-12-10
  EXPECT_EQ(decide(service(kSnpVlekMeasurement, "snp", {"Unknown"}), "snp", r, o), "attest.snp.chain_expired");
}

}  // namespace
}  // namespace clemmys::kms
