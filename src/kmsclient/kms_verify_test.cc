// verifyKms on a KMS on hardware: a stand-in server presents a recorded TDX quote
// or SEV-SNP report as its evidence (GET /v1/kms/evidence) with a fresh TLS
// certificate, and the owner's collateral comes from a cache directory built from
// ../shared/evidence at test time. A recorded report cannot bind the
// certificate, so a check that passes everything else ends at
// kmsclient.report_data_mismatch, the last step; each expectation the evidence
// does not meet stops it earlier with its own name.
#include "kmsclient/kms_verify.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <ctime>
#include <filesystem>
#include <sstream>

#include "attest/test_evidence.h"
#include "common/encoding.h"
#include "crypto/cert_issuer.h"
#include "http/server.h"
#include "kmsclient/commands.h"
#include "tee/file_io.h"

namespace clemmys::kmsclient {
namespace {

namespace fs = std::filesystem;
using attest::testing::at;
using attest::testing::readEvidence;

const char* const kMrTd = attest::testing::kTdxMrTd;
const char* const kRtmr2 = attest::testing::kTdxRtmr[2];
const char* const kVlekMeasurement = attest::testing::kSnpVlekMeasurement;

class HardwareKms : public ::testing::Test {
 protected:
  void SetUp() override {
    cacheDir = fs::temp_directory_path() / ("kms-verify-" + std::to_string(::getpid()));
    fs::create_directories(cacheDir);
  }
  void TearDown() override {
    if (server) server->stop();
    fs::remove_all(cacheDir);
  }

  // Serves `file` as the KMS's `type` evidence under a fresh self-signed certificate.
  void serve(const std::string& type, const char* file) {
    auto key = *crypto::EcPrivateKey::generateP256();
    int64_t now = std::time(nullptr);
    auto cert = crypto::issueSelfSigned(key, crypto::CertSpec{"clemmys-kms", {"127.0.0.1"}, now - 60, now + 3600, true,
                                                              crypto::Bytes(16, 1)});
    ASSERT_TRUE(cert) << cert.error().str();
    std::string certPem = crypto::certificatePem(*cert);
    auto keySecret = key.toPem();
    std::string keyPem(reinterpret_cast<const char*>(keySecret.data()), keySecret.size());
    boost::json::object reply{{"evidence_type", type},
                              {"evidence", base64UrlEncode(readEvidence(file))},
                              {"certificate_pem", certPem}};
    http::ServerOptions options;
    options.tls = http::ServerTls{certPem, keyPem};
    auto started = http::Server::start(std::move(options), [reply](http::Request&) {
      return http::Response::json(200, reply);
    });
    ASSERT_TRUE(started) << started.error().str();
    server = std::move(*started);
    endpoint.port = server->port();
  }

  void cache(const std::string& rel, const std::string& content) {
    fs::create_directories((cacheDir / rel).parent_path());
    ASSERT_TRUE(tee::writeWholeFile((cacheDir / rel).string(), content, "t"));
  }

  std::string check(const KmsExpectations& expect) {
    auto v = verifyKms(endpoint, expect, clock);
    return v ? "verified" : v.error().name;
  }

  KmsExpectations tdx() {
    KmsExpectations e;
    e.measurementHex = kMrTd;
    e.collateral.emplace(cacheDir.string());
    return e;
  }

  FakeClock clock{at("2025-07-01T00:00:00Z") * 1000};
  fs::path cacheDir;
  std::unique_ptr<http::Server> server;
  KmsEndpoint endpoint;
};

TEST_F(HardwareKms, TdxEvidenceWithTheOwnersCollateralPassesEverythingButTheBinding) {
  serve("tdx", "tdx/tdx_quote");
  cache("tdx/collateral.json", readEvidence("tdx/tdx_quote_collateral.json"));
  KmsExpectations e = tdx();
  e.tdx.emplace().rtmr[2] = kRtmr2;
  EXPECT_EQ(check(e), "kmsclient.report_data_mismatch");
  e.tdx->rtmr[2] = std::string(96, '0');
  EXPECT_EQ(check(e), "kms.rtmr_refused");
  e.tdx->rtmr[2] = kRtmr2;
  e.tdx->mrOwner = std::string(96, 'f');
  EXPECT_EQ(check(e), "kms.mrowner_refused");
  e = tdx();
  e.measurementHex = std::string(96, 'a');
  EXPECT_EQ(check(e), "kmsclient.measurement_mismatch");
  e = tdx();
  e.tcbStatus = std::vector<std::string>{"OutOfDate"};  // the quote is UpToDate
  EXPECT_EQ(check(e), "kms.tcb_status_refused");
}

TEST_F(HardwareKms, TdxWithoutCollateral) {
  serve("tdx", "tdx/tdx_quote");
  KmsExpectations e = tdx();
  EXPECT_EQ(check(e), "tee.collateral_missing");  // a cache named, its file absent
  e.collateral.reset();
  EXPECT_EQ(check(e), "kms.tcb_status_refused");  // Unknown is not UpToDate
  e.tcbStatus = std::vector<std::string>{"Unknown"};
  EXPECT_EQ(check(e), "kmsclient.report_data_mismatch");
  // The original four-argument form checks no TCB status, as before.
  auto v = verifyKms(endpoint, kMrTd, std::nullopt, clock);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().name, "kmsclient.report_data_mismatch");
}

TEST_F(HardwareKms, SnpEvidenceWithTheOwnersCertificates) {
  serve("snp", "snp/trustee_vlek_report.bin");
  KmsExpectations e;
  e.measurementHex = kVlekMeasurement;
  e.tcbStatus = std::vector<std::string>{"Unknown"};  // SNP has no DCAP-style status
  EXPECT_EQ(check(e), "attest.snp.leaf_missing");
  e.collateral.emplace(cacheDir.string());
  cache("snp/leaf.pem", attest::testing::derToPem(readEvidence("snp/trustee_vlek_expired_2025-12-10.der")));
  cache("snp/ca_chain.pem", readEvidence("snp/trustee_milan_ask_ark_asvk.pem"));
  EXPECT_EQ(check(e), "kmsclient.report_data_mismatch");
  e.tdx.emplace().rtmr[0] = std::string(96, '0');  // TDX expectations: not TDX evidence
  EXPECT_EQ(check(e), "kms.rtmr_refused");
}

// `clemmys kms verify` spells the expectations as flags. It evaluates at the
// real time, after the recorded collateral expired: a command that parsed its
// flags and reached the verifier fails there, by name.
TEST_F(HardwareKms, CommandLineExpectations) {
  serve("tdx", "tdx/tdx_quote");
  cache("tdx/collateral.json", readEvidence("tdx/tdx_quote_collateral.json"));
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"clemmys", "kms", "verify", "--kms", "https://127.0.0.1:" + std::to_string(endpoint.port),
                                     "--expect-measurement", kMrTd, "--collateral-dir", cacheDir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    std::ostringstream out, err;
    int rc = runKmsCommand(static_cast<int>(argv.size()), argv.data(), out, err);
    return std::to_string(rc) + " " + err.str();
  };
  EXPECT_NE(run({"--expect-rtmr", std::string("4=") + kRtmr2}).find("kmsclient.usage"), std::string::npos);
  EXPECT_NE(run({"--expect-rtmr", "2=abcd"}).find("kmsclient.usage"), std::string::npos);
  EXPECT_NE(run({"--expect-mrowner", "xyz"}).find("kmsclient.usage"), std::string::npos);
  std::string reached = run({"--expect-rtmr", std::string("0=") + std::string(96, '0') + ",2=" + kRtmr2,
                             "--accept-tcb", "UpToDate,OutOfDate"});
  EXPECT_EQ(reached.substr(0, 2), "1 ");
  EXPECT_NE(reached.find("attest."), std::string::npos) << reached;
  EXPECT_NE(reached.find("expired"), std::string::npos) << reached;
}

}  // namespace
}  // namespace clemmys::kmsclient
