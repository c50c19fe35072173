// The attest request the runtime and the gateway send (attestBody), read by the
// KMS's Releaser: the sim path carries no verifier inputs; collateral, PCK
// chain and SNP certificates, when the host supplies them, reach the KMS's
// verifiers (shown on the recorded evidence of ../shared/evidence/); and
// fetchConfiguration sends what the attester gathered (attester.attest()).
#include "kmsclient/attest_client.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <mutex>

#include "attest/test_evidence.h"
#include "common/encoding.h"
#include "kms/core_fixture.h"
#include "policy/policy_test_util.h"
#include "policy/update.h"
#include "http/server.h"
#include "tee/attester.h"
#include "tee/test_temp_dir.h"

namespace clemmys::kmsclient {
namespace {

using attest::testing::at;
using attest::testing::derToPem;
using attest::testing::readEvidence;

class AttestBody : public kms::testing::CoreFixture {
 protected:
  AttestBody() : CoreFixture(at("2025-07-01T00:00:00Z") * 1000) {}

  void SetUp() override {
    CoreFixture::SetUp();
    verifiers = kms::hardwareVerifiers(clock);
    std::string yaml = "name: hw\nversion: 1\nowners:\n  - |\n" +
                       policy::testing::indent(crypto::publicKeyPem(owner.publicKey()), "    ") +
                       "services:\n"
                       "  td: {measurements: [" + std::string(96, 'a') + "], evidence: [tdx]}\n"
                       "  sample: {measurements: [" + std::string(64, 'a') + "], evidence: [sgx]}\n"
                       "  guest: {measurements: [" + std::string(96, 'a') + "], evidence: [snp]}\n";
    auto p = policy::parsePolicy(yaml);
    ASSERT_TRUE(p) << p.error().str();
    ASSERT_TRUE(sessions->apply(yaml, *policy::signPolicy(*p, owner)));
  }
  void setTime(const char* rfc3339) { clock.advance(at(rfc3339) * 1000 - clock.nowMs()); }

  std::string release(const AttestRequest& r, const char* file, const std::string& type) {
    auto body = attestBody(r, *nonces.issue(), readEvidence(file), type, eph.publicPoint());
    auto out = releaser->release(body);
    return out ? "release" : out.error().name;
  }

  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
  crypto::EcPrivateKey eph = *crypto::EcPrivateKey::generateP256();
};

TEST_F(AttestBody, SimRequestCarriesNoVerifierInputs) {
  AttestRequest r{.session = "s", .service = "runtime", .function = "guest/hello"};
  auto body = attestBody(r, std::string(32, 'n'), "quote", "sim", eph.publicPoint());
  std::vector<std::string> keys;
  for (const auto& kv : body) keys.emplace_back(kv.key());
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"ephemeral_public_key", "evidence", "evidence_type", "function", "nonce",
                                            "service", "session"}));
}

TEST_F(AttestBody, CollateralReachesTheKmsVerifier) {
  AttestRequest r{.session = "hw", .service = "td"};
  r.collateralJson = readEvidence("tdx/tdx_quote_collateral.json");
  EXPECT_EQ(release(r, "tdx/tdx_quote", "tdx"), "kms.report_data_mismatch");  // verified, then not bound
  setTime("2025-09-01T00:00:00Z");
  EXPECT_EQ(release(r, "tdx/tdx_quote", "tdx"), "attest.crl_expired");
}

TEST_F(AttestBody, PckChainReachesTheKmsVerifier) {
  AttestRequest r{.session = "hw", .service = "sample"};
  EXPECT_EQ(release(r, "negative/intel_sample_quote_type1.dat", "sgx"), "attest.pck_chain_missing");
  r.pckChainPem = readEvidence("negative/intel_sample_pck.pem") + readEvidence("negative/intel_sample_pck_chain.pem");
  EXPECT_EQ(release(r, "negative/intel_sample_quote_type1.dat", "sgx"), "attest.pck_chain_untrusted_root");
}

TEST_F(AttestBody, SnpCertificatesReachTheKmsVerifier) {
  AttestRequest r{.session = "hw", .service = "guest"};
  EXPECT_EQ(release(r, "snp/trustee_vlek_report.bin", "snp"), "attest.snp.leaf_missing");
  r.snpLeafCertPem = derToPem(readEvidence("snp/trustee_vlek_expired_2025-12-10.der"));
  r.snpCaChainPem = readEvidence("snp/trustee_milan_ask_ark_asvk.pem");
  EXPECT_EQ(release(r, "snp/trustee_vlek_report.bin", "snp"), "kms.report_data_mismatch");
}

// fetchConfiguration end to end over HTTP: the Gramine attester (on a fake
// /dev/attestation holding the recorded SGX quote) with a collateral cache; a
// stand-in KMS hands out the fixture's nonces and passes the body to the
// Releaser. After the recorded collateral's CRLs expired, a request that carries
// it fails on them (attest.crl_expired); one without it gets as far as the binding.
TEST_F(AttestBody, FetchConfigurationSendsTheAttestersInputs) {
  tee::testing::TempDir dev, cache;
  dev.put("attestation_type", "dcap");
  dev.put("quote", readEvidence("sgx/sgx_quote"));
  std::string sent;
  std::mutex mu;
  auto server = http::Server::start(http::ServerOptions{}, [&](http::Request& req) {
    if (req.path == "/v1/attest/challenge") {
      return http::Response::json(200, boost::json::object{{"nonce", base64UrlEncode(*nonces.issue())}});
    }
    auto body = boost::json::parse(req.body).as_object();
    {
      std::lock_guard lock(mu);
      sent = req.body;
    }
    auto r = releaser->release(body);
    return http::Response::json(403, boost::json::object{{"error", r ? "released" : r.error().name}});
  });
  ASSERT_TRUE(server) << server.error().str();
  http::Client client("127.0.0.1", (*server)->port());
  AttestRequest request{.session = "hw", .service = "sample"};
  setTime("2025-09-01T00:00:00Z");

  tee::GramineAttester withCache(dev.path(), tee::CollateralCache(cache.path()));
  auto missing = fetchConfiguration(client, withCache, request);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().name, "tee.collateral_missing");
  cache.put("sgx/collateral.json", readEvidence("sgx/sgx_quote_collateral.json"));
  auto expired = fetchConfiguration(client, withCache, request);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().name, "attest.crl_expired");
  EXPECT_TRUE(boost::json::parse(sent).as_object().contains("collateral"));

  tee::GramineAttester bare(dev.path());
  auto unbound = fetchConfiguration(client, bare, request);
  ASSERT_FALSE(unbound);
  EXPECT_EQ(unbound.error().name, "kms.report_data_mismatch");
  EXPECT_FALSE(boost::json::parse(sent).as_object().contains("collateral"));
  (*server)->stop();
}

// What an attester gathered fills the request's unset inputs; a caller's own win.
TEST(WithInputs, FillsOnlyUnsetFields) {
  tee::VerifierInputs gathered{.collateralJson = "C", .pckChainPem = "P", .snpLeafCertPem = "L", .snpCaChainPem = "A"};
  AttestRequest r{.session = "s", .service = "gateway"};
  r.collateralJson = "caller's";
  AttestRequest out = withInputs(r, gathered);
  EXPECT_EQ(out.collateralJson, "caller's");
  EXPECT_EQ(out.pckChainPem, "P");
  EXPECT_EQ(out.snpLeafCertPem, "L");
  EXPECT_EQ(out.snpCaChainPem, "A");
  AttestRequest none = withInputs(AttestRequest{.session = "s", .service = "gateway"}, {});
  EXPECT_FALSE(none.collateralJson || none.pckChainPem || none.snpLeafCertPem || none.snpCaChainPem);
}

}  // namespace
}  // namespace clemmys::kmsclient
