// The attester side of the verifier inputs: the collateral cache's rules
// (doc/formats/collateral-cache.md), the SNP certificate table, and the
// attesters that use them — ConfigfsTsmAttester against the replay tree
// (tsm_replay.h), GramineAttester against a fake /dev/attestation.
// Synthetic contents here; src/kms/tsm_replay_evidence_test.cc takes recorded
// evidence through the same path to the KMS's decision.
#include "tee/collateral_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/encoding.h"
#include "tee/attester.h"
#include "tee/file_io.h"
#include "tee/test_temp_dir.h"
#include "tee/tsm_replay.h"

namespace clemmys::tee {
namespace {


using testing::TempDir;

const std::string kVcekGuid = *fromHex("63da758de6644564adc5f4b93be8accd");
const std::string kVlekGuid = *fromHex("a8074bc2a25a483eaae639c045a0b8a1");
const std::string kAskGuid = *fromHex("4ab7b379bbac4fe4a02f05aef327c782");
const std::string kArkGuid = *fromHex("c0b406a4a803495297433fb6014cd0ae");
const std::string kCrlGuid = *fromHex("92f81bc358114d3d97ffd19f88dc67ea");

std::string u32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// A certificate table: entries, a zero entry, then the blobs in order.
std::string table(const std::vector<std::pair<std::string, std::string>>& certs, bool terminate = true) {
  size_t offset = (certs.size() + (terminate ? 1 : 0)) * 24;
  std::string head, body;
  for (const auto& [guid, der] : certs) {
    head += guid + u32(static_cast<uint32_t>(offset + body.size())) + u32(static_cast<uint32_t>(der.size()));
    body += der;
  }
  if (terminate) head += std::string(24, '\0');
  return head + body;
}

std::string pemOf(const std::string& der) { return "-----BEGIN CERTIFICATE-----\n" + base64Encode(der) + "\n-----END CERTIFICATE-----\n"; }

std::string bundle(const std::string& tcbId, const std::string& qeId) {
  std::string b = "{";
  for (const char* m : {"tcb_info_signature", "tcb_info_issuer_chain", "qe_identity_signature",
                        "qe_identity_issuer_chain", "pck_crl", "pck_crl_issuer_chain", "root_ca_crl"}) {
    b += "\"" + std::string(m) + "\":\"x\",";
  }
  return b + "\"tcb_info\":\"{\\\"id\\\":\\\"" + tcbId + "\\\"}\",\"qe_identity\":\"{\\\"id\\\":\\\"" + qeId + "\\\"}\"}";
}

TEST(SnpCertTable, SplitsVcekAskArkAndSkipsOthers) {
  auto t = parseSnpCertTable(table({{kVcekGuid, "VCEK-DER"}, {kCrlGuid, "CRL"}, {kArkGuid, "ARK-DER"}, {kAskGuid, "ASK-DER"}}));
  ASSERT_TRUE(t) << t.error().str();
  ASSERT_TRUE(t->snpLeafCertPem);
  EXPECT_NE(t->snpLeafCertPem->find(base64Encode("VCEK-DER")), std::string::npos);
  ASSERT_TRUE(t->snpCaChainPem);
  size_t ask = t->snpCaChainPem->find(base64Encode("ASK-DER")), ark = t->snpCaChainPem->find(base64Encode("ARK-DER"));
  ASSERT_NE(ask, std::string::npos);
  ASSERT_NE(ark, std::string::npos);
  EXPECT_LT(ask, ark);  // ASK ‖ ARK
  EXPECT_FALSE(t->collateralJson);
}

TEST(SnpCertTable, VlekIsALeafAndAnEmptyBlobHasNothing) {
  auto t = parseSnpCertTable(table({{kVlekGuid, "VLEK-DER"}}));
  ASSERT_TRUE(t) << t.error().str();
  EXPECT_NE(t->snpLeafCertPem.value_or("").find(base64Encode("VLEK-DER")), std::string::npos);
  EXPECT_FALSE(t->snpCaChainPem);
  auto empty = parseSnpCertTable("");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->snpLeafCertPem);
  auto onlyZero = parseSnpCertTable(std::string(24, '\0'));
  ASSERT_TRUE(onlyZero);
  EXPECT_FALSE(onlyZero->snpLeafCertPem);
}

TEST(SnpCertTable, MalformedTablesAreNamed) {
  for (const std::string& bad : {table({{kVcekGuid, "V"}}, false), table({{kVcekGuid, "V"}, {kVlekGuid, "L"}}),
                                 table({{kAskGuid, "A"}}), table({{kVcekGuid, "V"}, {kVcekGuid, "W"}}),
                                 table({{kVcekGuid, ""}}), kVcekGuid + u32(1000) + u32(10) + std::string(24, '\0')}) {
    auto t = parseSnpCertTable(bad);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().name, "tee.snp_cert_table_malformed");
  }
}

TEST(CollateralCache, DcapBundleForTheAttestersType) {
  TempDir dir;
  dir.put("sgx/collateral.json", bundle("SGX", "QE"));
  dir.put("tdx/collateral.json", bundle("TDX", "TD_QE"));
  CollateralCache cache(dir.path());
  for (const char* type : {"sgx", "tdx"}) {
    VerifierInputs in;
    ASSERT_TRUE(cache.complete(type, in)) << type;
    EXPECT_EQ(in.collateralJson, bundle(type == std::string("sgx") ? "SGX" : "TDX", type == std::string("sgx") ? "QE" : "TD_QE"));
    EXPECT_FALSE(in.pckChainPem);  // optional, absent
  }
  VerifierInputs sim;
  ASSERT_TRUE(cache.complete("sim", sim));
  EXPECT_FALSE(sim.collateralJson);
}

TEST(CollateralCache, MissingMalformedAndMismatchedAreNamed) {
  TempDir dir;
  CollateralCache cache(dir.path());
  auto name = [&](const char* type) {
    VerifierInputs in;
    auto st = cache.complete(type, in);
    return st ? std::string("ok") : st.error().name;
  };
  EXPECT_EQ(name("sgx"), "tee.collateral_missing");
  dir.put("sgx/collateral.json", "");
  EXPECT_EQ(name("sgx"), "tee.collateral_malformed");
  dir.put("sgx/collateral.json", "{\"tcb_info\":\"{}\"}");
  EXPECT_EQ(name("sgx"), "tee.collateral_malformed");
  dir.put("sgx/collateral.json", bundle("TDX", "TD_QE"));
  EXPECT_EQ(name("sgx"), "tee.collateral_mismatch");
  dir.put("sgx/collateral.json", bundle("SGX", "TD_QE"));
  EXPECT_EQ(name("sgx"), "tee.collateral_mismatch");
  dir.put("sgx/collateral.json", bundle("SGX", "QE"));
  EXPECT_EQ(name("sgx"), "ok");
  dir.put("sgx/pck_chain.pem", "not a certificate");
  EXPECT_EQ(name("sgx"), "tee.collateral_malformed");
  dir.put("sgx/pck_chain.pem", pemOf("PCK"));
  VerifierInputs in;
  ASSERT_TRUE(cache.complete("sgx", in));
  EXPECT_EQ(in.pckChainPem, pemOf("PCK"));
}

TEST(CollateralCache, SnpFillsOnlyWhatTheAuxblobLacked) {
  TempDir dir;
  CollateralCache cache(dir.path());
  VerifierInputs fromAux;
  fromAux.snpLeafCertPem = pemOf("AUX-VCEK");
  auto missing = completeInputs(&cache, "snp", fromAux);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().name, "tee.collateral_missing");
  dir.put("snp/leaf.pem", pemOf("CACHE-VCEK"));
  dir.put("snp/ca_chain.pem", pemOf("ASK") + pemOf("ARK"));
  auto filled = completeInputs(&cache, "snp", fromAux);
  ASSERT_TRUE(filled) << filled.error().str();
  EXPECT_EQ(filled->snpLeafCertPem, pemOf("AUX-VCEK"));
  EXPECT_EQ(filled->snpCaChainPem, pemOf("ASK") + pemOf("ARK"));
  auto fromCache = completeInputs(&cache, "snp", {});
  ASSERT_TRUE(fromCache);
  EXPECT_EQ(fromCache->snpLeafCertPem, pemOf("CACHE-VCEK"));
  // No cache configured: what the TEE gave, nothing added, no error.
  auto none = completeInputs(nullptr, "snp", {});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->snpLeafCertPem);
}

ReportData reportData() {
  ReportData rd{};
  for (size_t i = 0; i < rd.size(); ++i) rd[i] = static_cast<uint8_t>(0xa0 + i);
  return rd;
}

TEST(TsmReplay, AnswersTheAttesterAsTheKernelWould) {
  TempDir root;
  testing::TsmReplay replay(root.path(), {"SNP-REPORT", table({{kVcekGuid, "V"}, {kAskGuid, "A"}, {kArkGuid, "R"}}), "sev_guest"});
  ConfigfsTsmAttester attester(root.path(), "snp", [&] { return replay.makeEntry(); });
  auto r = attester.report(reportData());
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->outblob, "SNP-REPORT");
  EXPECT_EQ(r->provider, "sev_guest");
  EXPECT_EQ(r->generation, 1u);
  auto written = replay.inblobs();
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0], std::string(reinterpret_cast<const char*>(reportData().data()), 64));
  // attest(): the auxblob's certificates, no cache needed.
  auto e = attester.attest(reportData());
  ASSERT_TRUE(e) << e.error().str();
  EXPECT_EQ(e->bytes, "SNP-REPORT");
  EXPECT_NE(e->inputs.snpLeafCertPem.value_or("").find(base64Encode("V")), std::string::npos);
  EXPECT_TRUE(e->inputs.snpCaChainPem);
  EXPECT_EQ(replay.inblobs().size(), 2u);
}

TEST(TsmReplay, AMalformedAuxblobFailsTheAttestation) {
  TempDir root;
  testing::TsmReplay replay(root.path(), {"SNP-REPORT", table({{kAskGuid, "A"}}), "sev_guest"});
  ConfigfsTsmAttester attester(root.path(), "snp", [&] { return replay.makeEntry(); });
  auto e = attester.attest(reportData());
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().name, "tee.snp_cert_table_malformed");
}

TEST(MakeAttester, HardwareBackendsReadTheConfiguredCache) {
  TempDir dev, cache;
  dev.put("attestation_type", "dcap");
  dev.put("quote", "QUOTE");
  AttesterConfig config;
  config.backend = "sgx";
  config.gramineRoot = dev.path();
  config.collateralDir = cache.path();
  auto attester = makeAttester(config);
  ASSERT_TRUE(attester) << attester.error().str();
  auto missing = (*attester)->attest(reportData());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().name, "tee.collateral_missing");
  cache.put("sgx/collateral.json", bundle("SGX", "QE"));
  auto e = (*attester)->attest(reportData());
  ASSERT_TRUE(e) << e.error().str();
  EXPECT_EQ(e->bytes, "QUOTE");
  EXPECT_EQ(e->inputs.collateralJson, bundle("SGX", "QE"));
  config.collateralDir.clear();  // no cache: the quote alone
  auto plain = (*makeAttester(config))->attest(reportData());
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->inputs.collateralJson);
}

}  // namespace
}  // namespace clemmys::tee
