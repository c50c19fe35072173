// The hardware path end to end on recorded evidence: an attester (configfs-tsm
// for TDX and SEV-SNP, against the replay tree of tee/tsm_replay.h; Gramine for
// SGX, against a fake /dev/attestation) produces evidence with its verifier
// inputs from a collateral cache built from ../shared/evidence at test time
// (doc/formats/collateral-cache.md); the attest client's request body
// (kmsclient::attestBody) carries it to Releaser::release.
//
// A recorded report cannot bind a fresh nonce: the live call must stop exactly
// at the binding (kms.report_data_mismatch) — everything before it (type,
// signatures, chains, collateral, debug) passed. The checks after the binding
// are then run through evidence_check.h with the report's own REPORTDATA
// standing in for the binding, as evidence_check_test.cc does for the files.
#include <gtest/gtest.h>

#include <filesystem>

#include "attest/test_evidence.h"
#include "common/encoding.h"
#include "kms/core_fixture.h"
#include "kms/evidence_check.h"
#include "kms/protocol.h"
#include "kmsclient/attest_client.h"
#include "policy/policy_test_util.h"
#include "policy/update.h"
#include "tee/attester.h"
#include "tee/file_io.h"
#include "tee/tsm_replay.h"

namespace clemmys::kms {
namespace {

namespace fs = std::filesystem;
using attest::testing::at;
using attest::testing::readEvidence;

using attest::testing::kSgxMrEnclave;
using attest::testing::kSnpVlekMeasurement;
using attest::testing::kTdxMrTd;
const char* const kTdxRtmr2 = attest::testing::kTdxRtmr[2];

std::string policyYaml(const crypto::EcPrivateKey& owner) {
  return "name: hw\nversion: 1\nowners:\n  - |\n" +
         policy::testing::indent(crypto::publicKeyPem(owner.publicKey()), "    ") +
         "services:\n"
         "  td:\n"
         "    measurements: [" + std::string(kTdxMrTd) + "]\n"
         "    evidence: [tdx]\n"
         "    tdx: {rtmr2: " + std::string(kTdxRtmr2) + "}\n"
         "  guest:\n"
         "    measurements: [" + std::string(kSnpVlekMeasurement) + "]\n"
         "    evidence: [snp]\n"
         "    tcb_status: [Unknown]\n"
         "  enclave:\n"
         "    measurements: [" + std::string(kSgxMrEnclave) + "]\n"
         "    evidence: [sgx]\n"
         "    tcb_status: [ConfigurationAndSWHardeningNeeded]\n";
}

// An SEV-SNP certificate table (collateral-cache.md) of DER certificates.
std::string certTable(const std::vector<std::pair<const char*, std::string>>& certs) {
  auto u32 = [](size_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
  };
  std::string head, body;
  size_t offset = (certs.size() + 1) * 24;
  for (const auto& [guidHex, der] : certs) {
    head += *fromHex(guidHex) + u32(offset + body.size()) + u32(der.size());
    body += der;
  }
  return head + std::string(24, '\0') + body;
}

// The DER certificate of `pemFile` whose subject contains `cn`.
std::string derBySubject(const char* pemFile, const std::string& cn) {
  auto chain = crypto::Certificate::chainFromPem(readEvidence(pemFile));
  for (const auto& c : chain.value()) {
    if (c.subject().find(cn) == std::string::npos) continue;
    auto der = c.der();
    return std::string(der.begin(), der.end());
  }
  ADD_FAILURE() << "no " << cn << " in " << pemFile;
  return "";
}

class HardwarePath : public testing::CoreFixture {
 protected:
  HardwarePath() : CoreFixture(at("2025-07-01T00:00:00Z") * 1000) {}

  void SetUp() override {
    CoreFixture::SetUp();
    verifiers = hardwareVerifiers(clock);
    std::string yaml = policyYaml(owner);
    auto p = policy::parsePolicy(yaml);
    ASSERT_TRUE(p) << p.error().str();
    ASSERT_TRUE(sessions->apply(yaml, *policy::signPolicy(*p, owner)));
    tsmRoot = dir / "tsm" / "report";
    cacheDir = dir / "collateral";
    fs::create_directories(tsmRoot);
    fs::create_directories(cacheDir);
  }

  // Puts a recorded file into the cache under `rel`.
  void cache(const std::string& rel, const std::string& content) {
    fs::create_directories((cacheDir / rel).parent_path());
    ASSERT_TRUE(tee::writeWholeFile((cacheDir / rel).string(), content, "t"));
  }

  struct Outcome {
    std::string live;     // Releaser::release on a fresh challenge: the named refusal, or "release"
    std::string offline;  // evidence_check past the binding, or "" when evidence was not produced
    std::string attester;  // the attester's error, "" when it produced evidence
  };

  // One attestation as a runtime makes it: fresh nonce and ephemeral key, the
  // attester's evidence and inputs, the attest client's body, the KMS's release.
  Outcome run(tee::Attester& attester, const std::string& service) {
    auto eph = *crypto::EcPrivateKey::generateP256();
    auto point = eph.publicPoint();
    std::string nonce = *nonces.issue();
    auto rd = attestReportData(crypto::asBytes(nonce), point);
    auto evidence = attester.attest(rd);
    if (!evidence) return {"", "", evidence.error().name};
    kmsclient::AttestRequest request;
    request.session = "hw";
    request.service = service;
    auto body = kmsclient::attestBody(kmsclient::withInputs(request, evidence->inputs), nonce, evidence->bytes,
                                      attester.type(), point);
    auto live = releaser->release(body);
    Outcome out{live ? "release" : live.error().name, "", ""};
    // Past the binding, on the same evidence and inputs.
    auto s = sessions->servicePolicy("hw", service).value();
    attest::VerifyOptions o;
    o.collateralJson = evidence->inputs.collateralJson;
    o.pckChainPem = evidence->inputs.pckChainPem;
    o.snpLeafCert = evidence->inputs.snpLeafCertPem;
    o.snpCaChainPem = evidence->inputs.snpCaChainPem;
    auto claims = verifyEvidence(s, verifiers, attester.type(), crypto::asBytes(evidence->bytes), o);
    if (!claims) {
      out.offline = claims.error().name;
      return out;
    }
    auto st = checkClaims(s, *claims, claims->reportData);
    out.offline = st ? "release" : st.error().name;
    return out;
  }

  std::unique_ptr<tee::ConfigfsTsmAttester> tsmAttester(tee::testing::TsmReplay& replay, const std::string& type,
                                                        bool withCache = true) {
    std::optional<tee::CollateralCache> c;
    if (withCache) c.emplace(cacheDir.string());
    return std::make_unique<tee::ConfigfsTsmAttester>(tsmRoot.string(), type, [&replay] { return replay.makeEntry(); },
                                                      std::move(c));
  }

  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
  fs::path tsmRoot;   // under the fixture's temporary directory (SetUp)
  fs::path cacheDir;
};

TEST_F(HardwarePath, TdxReplayWithCachedCollateralStopsExactlyAtTheBinding) {
  tee::testing::TsmReplay replay(tsmRoot.string(), {readEvidence("tdx/tdx_quote"), "", "tdx_guest"});
  cache("tdx/collateral.json", readEvidence("tdx/tdx_quote_collateral.json"));
  auto attester = tsmAttester(replay, "tdx");
  auto r = run(*attester, "td");
  EXPECT_EQ(r.attester, "");
  EXPECT_EQ(r.live, "kms.report_data_mismatch");
  EXPECT_EQ(r.offline, "release");  // MRTD, RTMR2, TCB status UpToDate from the cached collateral
  ASSERT_EQ(replay.inblobs().size(), 1u);
  EXPECT_EQ(replay.inblobs()[0].size(), 64u);  // the binding the attester was asked for went in
}

TEST_F(HardwarePath, TdxWithoutTheCacheTheKmsSeesUnknownTcb) {
  tee::testing::TsmReplay replay(tsmRoot.string(), {readEvidence("tdx/tdx_quote"), "", "tdx_guest"});
  auto attester = tsmAttester(replay, "tdx", false);
  auto r = run(*attester, "td");
  EXPECT_EQ(r.live, "kms.report_data_mismatch");
  EXPECT_EQ(r.offline, "kms.tcb_status_refused");  // Unknown is not in [UpToDate]
}

TEST_F(HardwarePath, TdxMissingOrWrongCollateralIsNamed) {
  tee::testing::TsmReplay replay(tsmRoot.string(), {readEvidence("tdx/tdx_quote"), "", "tdx_guest"});
  auto attester = tsmAttester(replay, "tdx");
  EXPECT_EQ(run(*attester, "td").attester, "tee.collateral_missing");
  cache("tdx/collateral.json", readEvidence("sgx/sgx_quote_collateral.json"));  // SGX's, in tdx/
  EXPECT_EQ(run(*attester, "td").attester, "tee.collateral_mismatch");
  cache("tdx/collateral.json", "{\"tcb_info\": 1}");
  EXPECT_EQ(run(*attester, "td").attester, "tee.collateral_malformed");
  // Another machine's TDX collateral: only its signed content tells, so the KMS
  // names it (at a time inside that collateral's own validity window).
  clock.advance(at("2026-03-01T00:00:00Z") * 1000 - clock.nowMs());
  cache("tdx/collateral.json", readEvidence("tdx/tdx_quote_outdated_collateral.json"));
  auto r = run(*attester, "td");
  EXPECT_EQ(r.live, "attest.tcb_info_fmspc_mismatch");
  EXPECT_EQ(r.offline, "attest.tcb_info_fmspc_mismatch");
}

TEST_F(HardwarePath, SnpReplayWithTheAuxblobsVlekChainStopsExactlyAtTheBinding) {
  std::string aux = certTable({{"a8074bc2a25a483eaae639c045a0b8a1", readEvidence("snp/trustee_vlek_expired_2025-12-10.der")},
                               {"4ab7b379bbac4fe4a02f05aef327c782", derBySubject("snp/trustee_milan_ask_ark_asvk.pem", "SEV-VLEK-Milan")},
                               {"c0b406a4a803495297433fb6014cd0ae", derBySubject("snp/trustee_milan_ask_ark_asvk.pem", "ARK-Milan")}});
  tee::testing::TsmReplay replay(tsmRoot.string(), {readEvidence("snp/trustee_vlek_report.bin"), aux, "sev_guest"});
  auto attester = tsmAttester(replay, "snp");  // an empty cache: the auxblob has everything
  auto r = run(*attester, "guest");
  EXPECT_EQ(r.attester, "");
  EXPECT_EQ(r.live, "kms.report_data_mismatch");
  EXPECT_EQ(r.offline, "release");
}

TEST_F(HardwarePath, SnpCertificatesFromTheCacheAndTheirAbsence) {
  tee::testing::TsmReplay replay(tsmRoot.string(), {readEvidence("snp/trustee_vlek_report.bin"), "", "sev_guest"});
  // No cache configured: sent without certificates, the KMS decides.
  auto bare = tsmAttester(replay, "snp", false);
  auto r = run(*bare, "guest");
  EXPECT_EQ(r.live, "attest.snp.leaf_missing");
  // A cache without them: named at the attester, nothing sent.
  auto attester = tsmAttester(replay, "snp");
  EXPECT_EQ(run(*attester, "guest").attester, "tee.collateral_missing");
  cache("snp/leaf.pem", attest::testing::derToPem(readEvidence("snp/trustee_vlek_expired_2025-12-10.der")));
  cache("snp/ca_chain.pem", readEvidence("snp/ask_ark_genoa.pem"));  // the wrong product's chain
  EXPECT_EQ(run(*attester, "guest").live, "attest.snp.chain_signature_invalid");
  cache("snp/ca_chain.pem", readEvidence("snp/trustee_milan_ask_ark_asvk.pem"));
  r = run(*attester, "guest");
  EXPECT_EQ(r.live, "kms.report_data_mismatch");
  EXPECT_EQ(r.offline, "release");
}

TEST_F(HardwarePath, SgxGramineQuoteWithCachedCollateralStopsExactlyAtTheBinding) {
  fs::path dev = dir / "dev-attestation";
  fs::create_directories(dev);
  ASSERT_TRUE(tee::writeWholeFile((dev / "attestation_type").string(), "dcap", "t"));
  ASSERT_TRUE(tee::writeWholeFile((dev / "quote").string(), readEvidence("sgx/sgx_quote"), "t"));
  tee::GramineAttester attester(dev.string(), tee::CollateralCache(cacheDir.string()));
  EXPECT_EQ(run(attester, "enclave").attester, "tee.collateral_missing");
  cache("sgx/collateral.json", readEvidence("sgx/sgx_quote_collateral.json"));
  auto r = run(attester, "enclave");
  EXPECT_EQ(r.live, "kms.report_data_mismatch");
  EXPECT_EQ(r.offline, "release");  // ConfigurationAndSWHardeningNeeded, from the cache
}

}  // namespace
}  // namespace clemmys::kms
