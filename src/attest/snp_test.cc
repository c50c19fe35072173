#include <gtest/gtest.h>

#include "attest/snp_report.h"
#include "attest/snp_verifier.h"
#include "attest/test_evidence.h"
#include "common/encoding.h"

namespace clemmys::attest {
namespace {

using testing::at;
using testing::readEvidence;
using testing::readEvidenceBytes;

class SnpTest : public ::testing::Test {
 protected:
  FakeClock clock_{at("2025-07-01T00:00:00Z") * 1000};
  SnpVerifier verifier_{clock_};

  VerifyOptions vcekOptions(bool allowDebug) {
    VerifyOptions o;
    o.allowDebug = allowDebug;
    o.snpLeafCert = readEvidence("snp/go-sev-guest_vcek.der");
    o.snpCaChainPem = readEvidence("snp/ask_ark_milan.pem");
    return o;
  }
  std::string errorOf(const crypto::Bytes& report, const VerifyOptions& o) {
    auto r = verifier_.verify(report, o);
    return r ? std::string("accepted") : r.error().name;
  }
};

TEST_F(SnpTest, ParsesGoSevGuestReport) {
  auto bytes = readEvidenceBytes("snp/go-sev-guest_attestation_debug.bin");
  auto r = parseSnpReport(bytes);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->version, 2u);
  EXPECT_EQ(r->policy, 0xb0000u);
  EXPECT_TRUE(r->debug());
  EXPECT_EQ(toHex(r->measurement).substr(0, 8), "b07af962");
}

TEST_F(SnpTest, DebugReportVerifiesOnlyWhenDebugIsAllowed) {
  auto bytes = readEvidenceBytes("snp/go-sev-guest_attestation_debug.bin");
  EXPECT_EQ(errorOf(bytes, vcekOptions(false)), "attest.debug_refused");
  auto r = verifier_.verify(bytes, vcekOptions(true));
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->type, EvidenceType::kSnp);
  EXPECT_TRUE(r->debug);
  EXPECT_EQ(r->measurement.size(), 48u);
  EXPECT_EQ(r->reportData[0], 1);
}

TEST_F(SnpTest, BitFlipsAreRefused) {
  const auto base = readEvidenceBytes("snp/go-sev-guest_attestation_debug.bin");
  auto flipped = [&](size_t off, uint8_t mask = 0x01) {
    auto b = base;
    b[off] ^= mask;
    return errorOf(b, vcekOptions(true));
  };
  EXPECT_EQ(flipped(0x04), "attest.snp.report_signature_invalid");  // guest SVN
  EXPECT_EQ(flipped(0x50), "attest.snp.report_signature_invalid");  // report data
  EXPECT_EQ(flipped(0x90), "attest.snp.report_signature_invalid");  // measurement
  EXPECT_EQ(flipped(0x2A0), "attest.snp.report_signature_invalid");  // r
  EXPECT_EQ(flipped(0x2A0 + 72), "attest.snp.report_signature_invalid");  // s
  EXPECT_EQ(flipped(0x2A0 + 60), "attest.snp.report_signature_invalid");  // r high bytes
  EXPECT_EQ(flipped(0x400), "attest.snp.report_malformed");  // reserved tail
  EXPECT_EQ(flipped(0x00), "attest.snp.report_signature_invalid");  // version 2 -> 3: known, but signed as 2
  EXPECT_EQ(flipped(0x00, 0x04), "attest.snp.unsupported_version");  // version 6
  EXPECT_EQ(flipped(0x0A, 0x02), "attest.snp.policy_invalid");       // reserved policy bit 17
  EXPECT_EQ(flipped(0x0A, 0x08), "attest.snp.report_signature_invalid");  // policy DEBUG bit
  EXPECT_EQ(flipped(0x34), "attest.snp.unsupported_signature_algo");
}

TEST_F(SnpTest, LengthsMustBeExact) {
  auto bytes = readEvidenceBytes("snp/go-sev-guest_attestation_debug.bin");
  for (size_t len : {size_t{0}, size_t{1}, kSnpSignedSize, bytes.size() - 1}) {
    EXPECT_EQ(parseSnpReport(crypto::ByteView(bytes.data(), len)).error().name, "attest.snp.report_bad_length");
  }
  bytes.push_back(0);
  EXPECT_EQ(parseSnpReport(bytes).error().name, "attest.snp.report_bad_length");
}

TEST_F(SnpTest, WrongProductChainIsUntrusted) {
  auto o = vcekOptions(true);
  o.snpCaChainPem = readEvidence("snp/ask_ark_genoa.pem");
  EXPECT_EQ(errorOf(readEvidenceBytes("snp/go-sev-guest_attestation_debug.bin"), o), "attest.snp.chain_signature_invalid");
  // An ASK with a self-made root: the leaf's issuer is found, the root is not pinned.
  o.snpCaChainPem = readEvidence("snp/ask_ark_milan.pem").substr(0, readEvidence("snp/ask_ark_milan.pem").find("-----END CERTIFICATE-----") + 25);
  EXPECT_EQ(errorOf(readEvidenceBytes("snp/go-sev-guest_attestation_debug.bin"), o), "attest.snp.chain_untrusted_root");
}

TEST_F(SnpTest, VcekCertificateTamperingIsRefused) {
  auto o = vcekOptions(true);
  std::string der = *o.snpLeafCert;
  der[der.size() - 10] ^= 0x01;  // inside the PSS signature
  o.snpLeafCert = der;
  EXPECT_EQ(errorOf(readEvidenceBytes("snp/go-sev-guest_attestation_debug.bin"), o), "attest.snp.chain_signature_invalid");
}

TEST_F(SnpTest, VlekReportVerifiesOnlyWithoutTimeChecks) {
  auto bytes = readEvidenceBytes("snp/trustee_vlek_report.bin");
  VerifyOptions o;
  o.snpLeafCert = readEvidence("snp/trustee_vlek_expired_2025-12-10.der");
  o.snpCaChainPem = readEvidence("snp/trustee_milan_ask_ark_asvk.pem");
  o.evaluationTime = at("2026-01-01T00:00:00Z");
  EXPECT_EQ(errorOf(bytes, o), "attest.snp.chain_expired");
  o.checkTime = false;
  auto r = verifier_.verify(bytes, o);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_FALSE(r->debug);
  // The VCEK chain does not vouch for a VLEK-signed report.
  auto v = vcekOptions(true);
  EXPECT_EQ(errorOf(bytes, v), "attest.snp.signing_key_mismatch");
}

}  // namespace
}  // namespace clemmys::attest
