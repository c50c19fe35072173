#include "attest/dcap_verifier.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "attest/test_evidence.h"
#include "attest/trust_anchors.h"
#include "common/encoding.h"

namespace clemmys::attest {
namespace {

using testing::at;
using testing::readEvidence;
using testing::readEvidenceBytes;

class DcapVerifierTest : public ::testing::Test {
 protected:
  FakeClock clock_{at("2025-07-01T00:00:00Z") * 1000};
  DcapVerifier sgx_{EvidenceType::kSgx, intelSgxRootSpki(), clock_};
  DcapVerifier tdx_{EvidenceType::kTdx, intelSgxRootSpki(), clock_};

  VerifyOptions withCollateral(const std::string& file, const char* when) {
    VerifyOptions o;
    o.collateralJson = readEvidence(file);
    o.evaluationTime = at(when);
    return o;
  }
  std::string errorOf(const Verifier& v, const crypto::Bytes& quote, const VerifyOptions& o) {
    auto r = v.verify(quote, o);
    return r ? std::string("accepted") : r.error().name;
  }
};

TEST_F(DcapVerifierTest, SgxSampleVerifiesWithoutCollateral) {
  auto r = sgx_.verify(readEvidenceBytes("sgx/sgx_quote"), {});
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->type, EvidenceType::kSgx);
  EXPECT_EQ(toHex(r->measurement), "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  EXPECT_EQ(toHex(r->signer), "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  EXPECT_FALSE(r->debug);
  EXPECT_FALSE(r->insecure);
  EXPECT_FALSE(r->tcbStatus);
  EXPECT_EQ(std::string(r->reportData.begin(), r->reportData.begin() + 13), "Hello, world!");
}

TEST_F(DcapVerifierTest, SgxSampleTcbEvaluation) {
  auto r = sgx_.verify(readEvidenceBytes("sgx/sgx_quote"),
                       withCollateral("sgx/sgx_quote_collateral.json", "2025-07-01T00:00:00Z"));
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->tcbStatus, "ConfigurationAndSWHardeningNeeded");
  EXPECT_EQ(r->advisories, (std::vector<std::string>{"INTEL-SA-00289", "INTEL-SA-00615"}));
}

TEST_F(DcapVerifierTest, SgxCollateralOutsideItsWindowIsRefused) {
  auto quote = readEvidenceBytes("sgx/sgx_quote");
  EXPECT_EQ(errorOf(sgx_, quote, withCollateral("sgx/sgx_quote_collateral.json", "2025-07-19T10:10:00Z")),
            "attest.qe_identity_expired");
  EXPECT_EQ(errorOf(sgx_, quote, withCollateral("sgx/sgx_quote_collateral.json", "2025-09-01T00:00:00Z")),
            "attest.crl_expired");
  EXPECT_EQ(errorOf(sgx_, quote, withCollateral("sgx/sgx_quote_collateral.json", "2025-06-19T10:30:00Z")),
            "attest.tcb_info_expired");
}

TEST_F(DcapVerifierTest, SgxBitFlipsAreRefusedWithTheRightError) {
  const auto base = readEvidenceBytes("sgx/sgx_quote");
  auto flipped = [&](size_t off) {
    auto q = base;
    q[off] ^= 0x01;
    return errorOf(sgx_, q, {});
  };
  constexpr size_t kSig = 436;
  EXPECT_EQ(flipped(8), "attest.sgx.quote_signature_invalid");          // header: qe_svn
  EXPECT_EQ(flipped(28), "attest.sgx.quote_signature_invalid");         // header: user data
  EXPECT_EQ(flipped(112), "attest.sgx.quote_signature_invalid");        // body: MRENCLAVE
  EXPECT_EQ(flipped(368), "attest.sgx.quote_signature_invalid");        // body: REPORTDATA
  EXPECT_EQ(flipped(kSig + 5), "attest.sgx.quote_signature_invalid");   // quote signature
  EXPECT_EQ(flipped(kSig + 64 + 7), "attest.attestation_key_binding_mismatch");  // attestation key
  EXPECT_EQ(flipped(kSig + 128 + 64), "attest.qe_report_signature_invalid");     // QE report MRENCLAVE
  EXPECT_EQ(flipped(kSig + 128 + 320), "attest.qe_report_signature_invalid");    // QE report REPORTDATA
  EXPECT_EQ(flipped(kSig + 512 + 9), "attest.qe_report_signature_invalid");      // QE report signature
  EXPECT_EQ(flipped(kSig + 578), "attest.attestation_key_binding_mismatch");     // QE auth data
}

// Corrupts one base64 character in the signature area of the n-th PEM certificate.
crypto::Bytes corruptCertificate(crypto::Bytes quote, int n) {
  std::string s(quote.begin(), quote.end());
  size_t end = 0;
  for (int i = 0; i <= n; ++i) end = s.find("-----END CERTIFICATE-----", end + 1);
  size_t pos = end - 12;
  while (s[pos] == '\n' || s[pos] == '=') --pos;
  quote[pos] = quote[pos] == 'A' ? 'B' : 'A';
  return quote;
}

TEST_F(DcapVerifierTest, SgxCertificateFlipsAreRefused) {
  const auto base = readEvidenceBytes("sgx/sgx_quote");
  for (int cert = 0; cert < 3; ++cert) {
    EXPECT_EQ(errorOf(sgx_, corruptCertificate(base, cert), {}), "attest.pck_chain_signature_invalid") << cert;
  }
}

TEST_F(DcapVerifierTest, SgxCollateralTamperingIsRefused) {
  const auto quote = readEvidenceBytes("sgx/sgx_quote");
  auto tampered = [&](const char* key, auto edit) {
    auto doc = boost::json::parse(readEvidence("sgx/sgx_quote_collateral.json")).as_object();
    std::string v(doc.at(key).as_string());
    edit(v);
    doc[key] = v;
    VerifyOptions o;
    o.collateralJson = boost::json::serialize(doc);
    o.evaluationTime = at("2025-07-01T00:00:00Z");
    return errorOf(sgx_, quote, o);
  };
  auto bumpDigit = [](const std::string& needle) {
    return [needle](std::string& v) {
      size_t p = v.find(needle);
      ASSERT_NE(p, std::string::npos);
      v[p + needle.size()] ^= 0x01;
    };
  };
  auto flipHexAt = [](size_t fromEnd) {
    return [fromEnd](std::string& v) {
      char& c = v[v.size() - fromEnd];
      c = c == '0' ? '1' : '0';
    };
  };
  EXPECT_EQ(tampered("tcb_info", bumpDigit("\"pcesvn\":")), "attest.tcb_info_signature_invalid");
  EXPECT_EQ(tampered("qe_identity", bumpDigit("\"isvsvn\":")), "attest.qe_identity_signature_invalid");
  EXPECT_EQ(tampered("tcb_info_signature", flipHexAt(3)), "attest.tcb_info_signature_invalid");
  EXPECT_EQ(tampered("qe_identity_signature", flipHexAt(3)), "attest.qe_identity_signature_invalid");
  EXPECT_EQ(tampered("pck_crl", flipHexAt(5)), "attest.pck_crl_signature_invalid");
  EXPECT_EQ(tampered("root_ca_crl", flipHexAt(5)), "attest.root_crl_signature_invalid");
  EXPECT_EQ(tampered("tcb_info_issuer_chain",
                     [](std::string& v) {
                       size_t end = v.find("-----END CERTIFICATE-----") - 12;
                       v[end] = v[end] == 'A' ? 'B' : 'A';
                     }),
            "attest.tcb_info_chain_signature_invalid");
  // Collateral of another platform (the TDX bundle) does not fit this quote.
  EXPECT_EQ(errorOf(sgx_, quote, withCollateral("tdx/tdx_quote_collateral.json", "2025-07-01T00:00:00Z")),
            "attest.pck_crl_wrong_issuer");
}

TEST_F(DcapVerifierTest, DebugEnclaveIsRefusedUnlessAllowed) {
  auto quote = readEvidenceBytes("negative/sgx_debug_enclave_quote.dat");
  EXPECT_EQ(errorOf(sgx_, quote, {}), "attest.debug_refused");
  VerifyOptions o;
  o.allowDebug = true;
  auto r = sgx_.verify(quote, o);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_TRUE(r->debug);
}

TEST_F(DcapVerifierTest, LookalikeRootIsRefused) {
  auto quote = readEvidenceBytes("negative/intel_sample_quote_type1.dat");
  EXPECT_EQ(errorOf(sgx_, quote, {}), "attest.pck_chain_missing");
  VerifyOptions o;
  o.pckChainPem = readEvidence("negative/intel_sample_pck.pem") + readEvidence("negative/intel_sample_pck_chain.pem");
  o.checkTime = false;
  EXPECT_EQ(errorOf(sgx_, quote, o), "attest.pck_chain_untrusted_root");
}

TEST_F(DcapVerifierTest, RootIsAParameterForSimEvidence) {
  // Pinning the Intel sample root (as a sim installation pins its own root)
  // makes the same quote verify — and the result is marked insecure.
  std::string chainPem = readEvidence("negative/intel_sample_pck.pem") + readEvidence("negative/intel_sample_pck_chain.pem");
  auto chain = crypto::Certificate::chainFromPem(chainPem).value();
  DcapVerifier sim(EvidenceType::kSim, chain.back().publicKey().spkiDer(), clock_);
  VerifyOptions o;
  o.pckChainPem = chainPem;
  o.checkTime = false;
  o.allowDebug = true;
  auto r = sim.verify(readEvidenceBytes("negative/intel_sample_quote_type1.dat"), o);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_TRUE(r->insecure);
  EXPECT_EQ(r->type, EvidenceType::kSim);
  // ...and Intel hardware evidence does not verify against the sim root.
  EXPECT_EQ(errorOf(sim, readEvidenceBytes("sgx/sgx_quote"), {}), "attest.pck_chain_untrusted_root");
}

TEST_F(DcapVerifierTest, TdxSampleIsUpToDate) {
  auto r = tdx_.verify(readEvidenceBytes("tdx/tdx_quote"),
                       withCollateral("tdx/tdx_quote_collateral.json", "2025-07-01T00:00:00Z"));
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->type, EvidenceType::kTdx);
  EXPECT_EQ(r->tcbStatus, "UpToDate");
  EXPECT_EQ(toHex(r->measurement).substr(0, 8), "91eb2b44");
  EXPECT_EQ(r->measurement.size(), 48u);
  ASSERT_EQ(r->rtmrs.size(), 4u);
  EXPECT_EQ(r->rtmrs[3], crypto::Bytes(48, 0));
  EXPECT_FALSE(r->debug);
}

TEST_F(DcapVerifierTest, TdxV5OutdatedSampleIsNotUpToDate) {
  auto r = tdx_.verify(readEvidenceBytes("tdx/tdx_quote_outdated"),
                       withCollateral("tdx/tdx_quote_outdated_collateral.json", "2026-03-01T00:00:00Z"));
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_TRUE(r->tcbStatus);
  // Its SGX component 8 (SEAMLDR ACM, SVN 3) is below every level's (5).
  EXPECT_EQ(*r->tcbStatus, "TcbNotSupported");
}

TEST_F(DcapVerifierTest, TdxBitFlipsAreRefused) {
  const auto base = readEvidenceBytes("tdx/tdx_quote");
  auto flipped = [&](size_t off) {
    auto q = base;
    q[off] ^= 0x01;
    return errorOf(tdx_, q, {});
  };
  EXPECT_EQ(flipped(28), "attest.tdx.quote_signature_invalid");        // header: user data
  EXPECT_EQ(flipped(184), "attest.tdx.quote_signature_invalid");       // MRTD
  EXPECT_EQ(flipped(636 + 3), "attest.tdx.quote_signature_invalid");   // quote signature
  EXPECT_EQ(flipped(636 + 70), "attest.attestation_key_binding_mismatch");
  EXPECT_EQ(flipped(636 + 128 + 6 + 100), "attest.qe_report_signature_invalid");
}

TEST_F(DcapVerifierTest, WrongTeeTypeIsRefused) {
  EXPECT_EQ(errorOf(sgx_, readEvidenceBytes("tdx/tdx_quote"), {}), "attest.quote_wrong_tee");
  EXPECT_EQ(errorOf(tdx_, readEvidenceBytes("sgx/sgx_quote"), {}), "attest.quote_wrong_tee");
}

}  // namespace
}  // namespace clemmys::attest
