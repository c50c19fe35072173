// The recorded real evidence of ../shared/evidence/ sent through
// Releaser::release as a runtime's attest request carries it: evidence plus the
// verifier inputs (collateral, PCK chain, SNP certificates) as JSON strings,
// the KMS's own clock as evaluation time. Recorded evidence cannot bind a fresh
// nonce: whatever passes verification is refused at the binding
// (kms.report_data_mismatch), so no replayed quote is ever released.
// evidence_check_test.cc covers the decision past the binding.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "attest/test_evidence.h"
#include "common/encoding.h"
#include "kms/core_fixture.h"
#include "policy/policy_test_util.h"
#include "policy/update.h"

namespace clemmys::kms {
namespace {

namespace json = boost::json;
using attest::testing::at;
using attest::testing::derToPem;
using attest::testing::readEvidence;

std::string policyYaml(const crypto::EcPrivateKey& owner) {
  std::string y = "name: hw\nversion: 1\nowners:\n  - |\n" +
                  policy::testing::indent(crypto::publicKeyPem(owner.publicKey()), "    ");
  return y +
         "services:\n"
         "  enclave:\n"
         "    measurements: [33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb]\n"
         "    evidence: [sgx]\n"
         "    tcb_status: [ConfigurationAndSWHardeningNeeded]\n"
         "  debug-enclave:\n"
         "    measurements: [8f173e4613ff05c52aaf04162d234edae8c9977eae47eb2299ae16a553011c68]\n"
         "    evidence: [sgx]\n"
         "    tcb_status: [Unknown]\n"
         "  sample:\n"
         "    measurements: [" + std::string(64, '0') + "]\n"
         "    evidence: [sgx]\n"
         "    tcb_status: [Unknown]\n"
         "  td:\n"
         "    measurements: [91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7]\n"
         "    evidence: [tdx]\n"
         "    tdx: {rtmr2: d833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc207aa3ba80b70870d7330733642e01d48c3132}\n"
         "  guest:\n"
         "    measurements: [8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0]\n"
         "    evidence: [snp]\n"
         "    tcb_status: [Unknown]\n"
         "  debug-guest:\n"
         "    measurements: [b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01]\n"
         "    evidence: [snp]\n"
         "    tcb_status: [Unknown]\n";
}

class RecordedEvidenceRelease : public testing::CoreFixture {
 protected:
  RecordedEvidenceRelease() : CoreFixture(at("2025-07-01T00:00:00Z") * 1000) {}

  void SetUp() override {
    CoreFixture::SetUp();
    verifiers = hardwareVerifiers(clock);
    std::string yaml = policyYaml(owner);
    auto p = policy::parsePolicy(yaml);
    ASSERT_TRUE(p) << p.error().str();
    auto applied = sessions->apply(yaml, *policy::signPolicy(*p, owner));
    ASSERT_TRUE(applied) << applied.error().str();
  }

  void setTime(const char* rfc3339) { clock.advance(at(rfc3339) * 1000 - clock.nowMs()); }

  // A fresh challenge answered with the recorded file; `inputs` are the verifier fields.
  std::string attest(const std::string& service, const std::string& type, const char* file, json::object inputs = {}) {
    auto eph = *crypto::EcPrivateKey::generateP256();
    auto point = eph.publicPoint();
    json::object body{{"session", "hw"},
                      {"service", service},
                      {"nonce", base64UrlEncode(*nonces.issue())},
                      {"evidence", base64UrlEncode(readEvidence(file))},
                      {"evidence_type", type},
                      {"ephemeral_public_key", base64UrlEncode(std::string(point.begin(), point.end()))}};
    for (const auto& kv : inputs) body[kv.key()] = kv.value();
    auto r = releaser->release(body);
    return r ? "release" : r.error().name;
  }

  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
};

TEST_F(RecordedEvidenceRelease, SgxQuoteVerifiesWithCollateralAndIsRefusedAtTheBinding) {
  json::object c{{"collateral", readEvidence("sgx/sgx_quote_collateral.json")}};
  EXPECT_EQ(attest("enclave", "sgx", "sgx/sgx_quote", c), "kms.report_data_mismatch");
  setTime("2025-09-01T00:00:00Z");
  EXPECT_EQ(attest("enclave", "sgx", "sgx/sgx_quote", c), "attest.crl_expired");
}

TEST_F(RecordedEvidenceRelease, TdxQuoteVerifiesWithCollateralAndIsRefusedAtTheBinding) {
  json::object c{{"collateral", readEvidence("tdx/tdx_quote_collateral.json")}};
  EXPECT_EQ(attest("td", "tdx", "tdx/tdx_quote", c), "kms.report_data_mismatch");
  EXPECT_EQ(attest("enclave", "sgx", "tdx/tdx_quote", c), "attest.quote_wrong_tee");
  EXPECT_EQ(attest("td", "sgx", "tdx/tdx_quote", c), "kms.evidence_not_tolerated");
}

TEST_F(RecordedEvidenceRelease, TdxOutdatedQuoteVerifiesWithItsCollateral) {
  setTime("2026-03-01T00:00:00Z");
  json::object c{{"collateral", readEvidence("tdx/tdx_quote_outdated_collateral.json")}};
  // Its MRTD is not the td service's: refused past the binding it cannot pass anyway.
  EXPECT_EQ(attest("td", "tdx", "tdx/tdx_quote_outdated", c), "kms.report_data_mismatch");
}

TEST_F(RecordedEvidenceRelease, DebugEvidenceIsRefused) {
  EXPECT_EQ(attest("debug-enclave", "sgx", "negative/sgx_debug_enclave_quote.dat"), "attest.debug_refused");
  json::object snp{{"snp_leaf_cert", derToPem(readEvidence("snp/go-sev-guest_vcek.der"))},
                   {"snp_ca_chain", readEvidence("snp/ask_ark_milan.pem")}};
  EXPECT_EQ(attest("debug-guest", "snp", "snp/go-sev-guest_attestation_debug.bin", snp), "attest.debug_refused");
}

TEST_F(RecordedEvidenceRelease, LookalikeRootIsRefused) {
  const char* q = "negative/intel_sample_quote_type1.dat";
  EXPECT_EQ(attest("sample", "sgx", q), "attest.pck_chain_missing");
  json::object chain{{"pck_chain", readEvidence("negative/intel_sample_pck.pem") +
                                       readEvidence("negative/intel_sample_pck_chain.pem")}};
  EXPECT_EQ(attest("sample", "sgx", q, chain), "attest.pck_chain_untrusted_root");
}

TEST_F(RecordedEvidenceRelease, SnpVlekReportVerifiesAndIsRefusedAtTheBinding) {
  json::object snp{{"snp_leaf_cert", derToPem(readEvidence("snp/trustee_vlek_expired_2025-12-10.der"))},
                   {"snp_ca_chain", readEvidence("snp/trustee_milan_ask_ark_asvk.pem")}};
  EXPECT_EQ(attest("guest", "snp", "snp/trustee_vlek_report.bin"), "attest.snp.leaf_missing");
  EXPECT_EQ(attest("guest", "snp", "snp/trustee_vlek_report.bin", snp), "kms.report_data_mismatch");
  setTime("2026-01-01T00:00:00Z");
  EXPECT_EQ(attest("guest", "snp", "snp/trustee_vlek_report.bin", snp), "attest.snp.chain_expired");
}

}  // namespace
}  // namespace clemmys::kms
