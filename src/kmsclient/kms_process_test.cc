// End-to-end with real processes: clemmys-simtee, clemmys-kms launched through
// it, and a guest launched through it that attests and receives its
// configuration.
#include <fstream>
#include <sstream>

#include "crypto/x509.h"
#include "kms/protocol.h"
#include "kmsclient/attest_client.h"
#include "kmsclient/commands.h"
#include "kmsclient/kms_process_test_fixture.h"

namespace clemmys::kmsclient {
namespace {

using testing::KmsProcessFixture;
namespace json = boost::json;

class KmsProcessTest : public KmsProcessFixture {
 protected:
  void SetUp() override {
    KmsProcessFixture::SetUp();
    if (HasFatalFailure()) return;
    std::string first = startKms();
    ASSERT_NE(first.find("listening"), std::string::npos) << first;
    verifyAndPin();
    if (HasFatalFailure()) return;
    auto client = owner_client();
    auto applied = applyPolicy(client, policyYaml(), owner);
    ASSERT_TRUE(applied) << applied.error().str();
    hash1 = std::string(applied->at("hash").as_string());
  }
  std::string hash1;
};

TEST_F(KmsProcessTest, LaunchedGuestReceivesExactlyItsConfiguration) {
  auto lines = runGuest({"SERVICE=runtime", "FUNCTION=guest/hello", "MODE=attest"});
  ASSERT_EQ(lines.size(), 1u);
  ASSERT_EQ(errorOf(lines[0]), "released") << json::serialize(lines[0]);
  const auto& config = lines[0].at("config").as_object();
  EXPECT_EQ(config.at("measurement").as_string(), guestMeasurement);
  EXPECT_EQ(config.at("policy_hash").as_string(), hash1);
  EXPECT_TRUE(config.at("insecure").as_bool());
  EXPECT_EQ(config.at("env").as_object().size(), 2u);
  EXPECT_EQ(config.at("env").at("MODE").as_string(), "production");
  EXPECT_EQ(config.at("env").at("DB_PASSWORD").as_string().size(), 24u);
  EXPECT_EQ(config.at("argv").as_array().size(), 1u);
  EXPECT_EQ(config.at("argv").at(0).as_string(), "--api-token=s3cr3t-token");
  EXPECT_NE(config.at("files").at("/run/secrets/tls.key").as_string().find("PRIVATE KEY"), json::string::npos);
  EXPECT_EQ(config.at("pinned_digests").as_array().size(), 1u);
  EXPECT_EQ(config.at("keys").as_array().size(), 1u);
  EXPECT_FALSE(config.contains("tls_certificate_pem"));
  // Secrets are stable across releases; another function sees only its own settings.
  auto again = runGuest({"SERVICE=runtime", "FUNCTION=guest/hello", "MODE=attest"});
  ASSERT_EQ(errorOf(again.at(0)), "released");
  EXPECT_EQ(again[0].at("config").at("env").at("DB_PASSWORD"), config.at("env").at("DB_PASSWORD"));
  auto other = runGuest({"SERVICE=runtime", "FUNCTION=guest/other", "MODE=attest"});
  ASSERT_EQ(errorOf(other.at(0)), "released");
  EXPECT_EQ(json::serialize(other[0].at("config").at("env")), "{\"ONLY\":\"other\"}");
  // The audit log recorded each release with the guest's measurement.
  std::ifstream audit(dir + "/kms/audit.log");
  std::string log((std::istreambuf_iterator<char>(audit)), {});
  EXPECT_NE(log.find(guestMeasurement), std::string::npos);
  EXPECT_EQ(log.find("s3cr3t"), std::string::npos);
}

TEST_F(KmsProcessTest, GatewayGetsACertificateFromTheSessionCa) {
  auto lines = runGuest({"SERVICE=gateway", "MODE=gateway"});
  ASSERT_EQ(errorOf(lines.at(0)), "released") << json::serialize(lines[0]);
  const auto& config = lines[0].at("config").as_object();
  auto leaf = crypto::Certificate::chainFromPem(config.at("tls_certificate_pem").as_string());
  auto ca = crypto::Certificate::chainFromPem(config.at("session_ca_pem").as_string());
  ASSERT_TRUE(leaf && ca);
  EXPECT_TRUE(crypto::verifyChain({(*leaf)[0], (*ca)[0]}, (*ca)[0].publicKey().spkiDer(), std::nullopt));
}

TEST_F(KmsProcessTest, RefusalsAreNamed) {
  EXPECT_EQ(errorOf(runGuest({"SERVICE=other", "MODE=attest"}).at(0)), "kms.measurement_refused");
  EXPECT_EQ(errorOf(runGuest({"SERVICE=strict", "MODE=attest"}).at(0)), "kms.evidence_not_tolerated");
  EXPECT_EQ(errorOf(runGuest({"SERVICE=runtime", "MODE=bad-binding"}).at(0)), "kms.report_data_mismatch");
  auto replay = runGuest({"SERVICE=runtime", "MODE=replay"});
  ASSERT_EQ(replay.size(), 2u);
  EXPECT_EQ(errorOf(replay[0]), "released");
  EXPECT_EQ(errorOf(replay[1]), "kms.nonce_replayed");
  // A process the simtee did not launch (this test) gets no quote at all.
  tee::SimAttester notLaunched(socket);
  auto rd = kms::attestReportData(crypto::asBytes(std::string(32, 'n')), crypto::asBytes(std::string(65, 'k')));
  EXPECT_EQ(notLaunched.evidence(rd).error().name, "simtee.caller_not_launched");
  // Real SGX evidence of a debug enclave is refused even where sgx is tolerated.
  std::ifstream in(std::string(CLEMMYS_EVIDENCE_DIR) + "/negative/sgx_debug_enclave_quote.dat", std::ios::binary);
  std::string quote((std::istreambuf_iterator<char>(in)), {});
  ASSERT_FALSE(quote.empty());
  auto client = owner_client();
  auto nonce = requestChallenge(client);
  ASSERT_TRUE(nonce);
  auto eph = *crypto::EcPrivateKey::generateP256();
  auto r = submitEvidence(client, AttestRequest{"demo", "hw"}, *nonce, quote, "sgx", eph);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "attest.debug_refused");
}

// --attester picks the KMS's own evidence backend through tee::makeAttester. This
// machine is no TDX/SNP guest and runs no Gramine: a KMS told to use one stops at
// start with the backend's named error instead of falling back to sim. (Each gets
// its own store: another argv is another measurement, whose sealing key does not
// open the fixture KMS's store.)
TEST_F(KmsProcessTest, KmsOnAnUnavailableHardwareBackendFailsClosed) {
  auto start = [&](const std::string& backend) {
    stopKms();
    std::string line = startKms({"--state-dir", dir + "/kms-" + backend, "--attester", backend});
    return line;
  };
  std::string line = start("tdx");
  EXPECT_NE(line.find("tee.tsm_unavailable"), std::string::npos) << line;
  line = start("snp");
  EXPECT_NE(line.find("tee.tsm_unavailable"), std::string::npos) << line;
  line = start("sgx");
  EXPECT_NE(line.find("tee.gramine_unavailable"), std::string::npos) << line;
  line = start("configfs-tsm");
  EXPECT_NE(line.find("tee.unknown_backend"), std::string::npos) << line;
  line = start("sim");
  EXPECT_NE(line.find("listening"), std::string::npos) << line;
}

TEST_F(KmsProcessTest, PolicyUpdatesNeedAnOwnerSignatureAndTheCurrentPredecessor) {
  auto client = owner_client();
  auto unsignedReply = client.request("POST", "/v1/sessions/demo",
                                      json::serialize(json::object{{"policy", policyYaml(2, hash1)}}));
  ASSERT_TRUE(unsignedReply);
  EXPECT_EQ(unsignedReply->status, 403);
  EXPECT_EQ(replyError(*unsignedReply).name, "policy.signature_missing");
  auto stranger = *crypto::EcPrivateKey::generateP256();
  EXPECT_EQ(applyPolicy(client, policyYaml(2, hash1), stranger).error().name, "policy.signature_invalid");
  auto v2 = applyPolicy(client, policyYaml(2, hash1), owner);
  ASSERT_TRUE(v2) << v2.error().str();
  EXPECT_EQ(applyPolicy(client, policyYaml(3, hash1), owner).error().name, "policy.stale_predecessor");
  EXPECT_EQ(applyPolicy(client, policyYaml(7), owner).error().name, "policy.session_exists");
  auto history = sessionHistory(client, "demo");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->at("versions").as_array().size(), 2u);
  auto shown = showSession(client, "demo");
  ASSERT_TRUE(shown);
  EXPECT_EQ(json::serialize(*shown).find("s3cr3t"), std::string::npos);
  auto rotated = rotateKey(client, "demo", owner);
  ASSERT_TRUE(rotated) << rotated.error().str();
  EXPECT_EQ(rotated->at("key_version").as_int64(), 2);
}

TEST_F(KmsProcessTest, RolledBackStoreIsRefusedAtStart) {
  stopKms();
  std::filesystem::copy_file(dir + "/kms/kms.store", dir + "/old.store");
  ASSERT_NE(startKms().find("listening"), std::string::npos);
  verifyAndPin();
  auto client = owner_client();
  ASSERT_TRUE(applyPolicy(client, policyYaml(2, hash1), owner));
  stopKms();
  // State survives a clean restart...
  ASSERT_NE(startKms().find("listening"), std::string::npos);
  {
    auto c = owner_client();
    auto shown = showSession(c, "demo");
    ASSERT_TRUE(shown) << shown.error().str();
    EXPECT_EQ(shown->at("version").as_int64(), 2);
  }
  stopKms();
  // ...but an older copy of the store file is detected.
  std::filesystem::copy_file(dir + "/old.store", dir + "/kms/kms.store", std::filesystem::copy_options::overwrite_existing);
  EXPECT_NE(startKms().find("kms.store_rollback"), std::string::npos);
}

TEST_F(KmsProcessTest, HundredConcurrentAttestations) {
  auto lines = runGuest({"SERVICE=runtime", "FUNCTION=guest/hello", "MODE=concurrent", "COUNT=100"});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].at("ok").as_bool()) << json::serialize(lines[0]);
  EXPECT_EQ(lines[0].at("released").as_int64(), 100);
}

}  // namespace
}  // namespace clemmys::kmsclient

namespace clemmys::kmsclient {
namespace {

int runCli(std::vector<std::string> args, std::string& out, std::string& err) {
  std::vector<char*> argv;
  static char name[] = "clemmys";
  argv.push_back(name);
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream o, e;
  int rc = runKmsCommand(static_cast<int>(argv.size()), argv.data(), o, e);
  out = o.str();
  err = e.str();
  return rc;
}

TEST_F(KmsProcessTest, CliKeygenVerifyApplyShowHistory) {
  std::string out, err;
  std::string keys = dir + "/owner";
  ASSERT_EQ(runCli({"keygen", "--out", keys}, out, err), 0) << err;
  auto keyPem = std::ifstream(keys + "/owner.pem");
  std::string pem((std::istreambuf_iterator<char>(keyPem)), {});
  owner = *crypto::EcPrivateKey::fromPem(pem);  // policies below now name the CLI's key
  std::string url = "https://127.0.0.1:" + std::to_string(kmsPort);
  std::ofstream(dir + "/sim-root.pem") << simRoot;
  // Wrong measurement: refused, nothing pinned.
  EXPECT_EQ(runCli({"kms", "verify", "--kms", url, "--expect-measurement", std::string(64, 'e'), "--sim-root",
                    dir + "/sim-root.pem"}, out, err), 1);
  EXPECT_NE(err.find("kmsclient.measurement_mismatch"), std::string::npos);
  ASSERT_EQ(runCli({"kms", "verify", "--kms", url, "--expect-measurement", kmsMeasurement, "--sim-root",
                    dir + "/sim-root.pem", "--save-cert", dir + "/kms.pem"}, out, err), 0) << err;
  EXPECT_NE(out.find("fingerprint"), std::string::npos);
  // Without the pinned certificate the CLI refuses to talk to the KMS.
  std::ofstream(dir + "/p.yaml") << policyYaml(1).replace(6, 4, "clix");
  EXPECT_EQ(runCli({"policy", "apply", dir + "/p.yaml", "--key", keys + "/owner.pem", "--kms", url}, out, err), 1);
  EXPECT_NE(err.find("kmsclient.not_pinned"), std::string::npos);
  ASSERT_EQ(runCli({"policy", "apply", dir + "/p.yaml", "--key", keys + "/owner.pem", "--kms", url, "--kms-cert",
                    dir + "/kms.pem"}, out, err), 0) << err;
  EXPECT_NE(out.find("\"hash\""), std::string::npos);
  ASSERT_EQ(runCli({"policy", "show", "clix", "--kms", url, "--kms-cert", dir + "/kms.pem"}, out, err), 0) << err;
  EXPECT_NE(out.find("\"name\":\"clix\""), std::string::npos);
  EXPECT_EQ(out.find("s3cr3t"), std::string::npos);
  ASSERT_EQ(runCli({"policy", "history", "clix", "--kms", url, "--kms-cert", dir + "/kms.pem"}, out, err), 0) << err;
  EXPECT_NE(out.find("\"versions\""), std::string::npos);
  EXPECT_EQ(runCli({"policy", "apply", dir + "/p.yaml", "--key", keys + "/owner.pem", "--kms", url, "--kms-cert",
                    dir + "/kms.pem"}, out, err), 1);
  EXPECT_NE(err.find("policy.session_exists"), std::string::npos);
}

}  // namespace
}  // namespace clemmys::kmsclient
