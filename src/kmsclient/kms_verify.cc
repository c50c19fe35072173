#include "kmsclient/kms_verify.h"

#include <boost/json.hpp>

#include <algorithm>

#include "attest/dcap_verifier.h"
#include "common/encoding.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "kms/evidence_check.h"
#include "kms/protocol.h"

namespace clemmys::kmsclient {
namespace {

namespace json = boost::json;

struct EvidenceReply {
  std::string type, evidence, certPem;
};

Result<EvidenceReply> fetchEvidence(http::Client& client) {
  auto reply = client.request("GET", "/v1/kms/evidence");
  if (!reply) return std::unexpected(reply.error());
  if (reply->status != 200) return std::unexpected(replyError(*reply));
  try {
    auto o = json::parse(reply->body).as_object();
    EvidenceReply r;
    r.type = json::value_to<std::string>(o.at("evidence_type"));
    auto raw = base64UrlDecode(o.at("evidence").as_string());
    if (!raw) return fail("kmsclient.bad_reply", "evidence is not base64url");
    r.evidence = *raw;
    r.certPem = json::value_to<std::string>(o.at("certificate_pem"));
    return r;
  } catch (const std::exception&) {
    return fail("kmsclient.bad_reply", "malformed evidence reply");
  }
}

// Step 2: the verifier for the reply's type, and the inputs it needs.
Result<attest::Claims> verifyEvidence(const EvidenceReply& r, const KmsExpectations& expect, const Clock& clock) {
  std::unique_ptr<attest::Verifier> sim;
  kms::VerifierMap hardware;
  const attest::Verifier* verifier = nullptr;
  if (r.type == "sim") {
    if (!expect.simRootPem) return fail("kmsclient.sim_root_required", "sim evidence needs --sim-root");
    auto root = crypto::Certificate::chainFromPem(*expect.simRootPem);
    if (!root || root->size() != 1) return fail("kmsclient.bad_sim_root", "sim root must be one PEM certificate");
    sim = std::make_unique<attest::DcapVerifier>(attest::EvidenceType::kSim, (*root)[0].publicKey().spkiDer(), clock);
    verifier = sim.get();
  } else {
    hardware = kms::hardwareVerifiers(clock);
    auto it = hardware.find(r.type);
    if (it == hardware.end()) return fail("kmsclient.evidence_type_unsupported", "cannot verify " + r.type + " evidence");
    verifier = it->second.get();
  }
  auto inputs = tee::completeInputs(expect.collateral ? &*expect.collateral : nullptr, r.type, {});
  if (!inputs) return std::unexpected(inputs.error());
  attest::VerifyOptions options;
  options.collateralJson = inputs->collateralJson;
  options.pckChainPem = inputs->pckChainPem;
  options.snpLeafCert = inputs->snpLeafCertPem;
  options.snpCaChainPem = inputs->snpCaChainPem;
  auto claims = verifier->verify(crypto::asBytes(r.evidence), options);
  if (!claims) return std::unexpected(claims.error());
  if (attest::evidenceTypeName(claims->type) != r.type) {
    return fail("kmsclient.evidence_type_mismatch", "evidence is not of the declared type " + r.type);
  }
  return claims;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

Result<VerifiedKms> verifyKms(const KmsEndpoint& endpoint, const KmsExpectations& expect, const Clock& clock) {
  // No trust yet: the certificate is checked against the evidence below.
  http::Client client(endpoint.host, endpoint.port, http::ClientTls{"", endpoint.host, false});
  auto reply = fetchEvidence(client);
  if (!reply) return std::unexpected(reply.error());
  std::string peerDer = client.peerCertificateDer();
  auto chain = crypto::Certificate::chainFromPem(reply->certPem);
  if (!chain || chain->empty()) return fail("kmsclient.bad_reply", "certificate_pem does not parse");
  auto certDer = (*chain)[0].der();
  if (peerDer.empty() || std::string(certDer.begin(), certDer.end()) != peerDer) {
    return fail("kmsclient.certificate_mismatch", "the TLS certificate differs from the one in the evidence reply");
  }
  auto claims = verifyEvidence(*reply, expect, clock);
  if (!claims) return std::unexpected(claims.error());
  std::string measured = toHex(claims->measurement), expected = lower(expect.measurementHex);
  if (measured != expected) {
    return fail("kmsclient.measurement_mismatch", "KMS measurement is " + measured + ", expected " + expected);
  }
  if (expect.tdx) {
    if (auto st = kms::checkTdxFields(*expect.tdx, *claims); !st) return std::unexpected(st.error());
  }
  if (expect.tcbStatus) {
    if (auto st = kms::checkTcbStatus(*expect.tcbStatus, *claims); !st) return std::unexpected(st.error());
  }
  auto binding = kms::kmsTlsReportData(certDer);
  if (claims->reportData.size() != binding.size() ||
      !std::equal(binding.begin(), binding.end(), claims->reportData.begin())) {
    return fail("kmsclient.report_data_mismatch", "the evidence does not bind the KMS's TLS certificate");
  }
  return VerifiedKms{reply->certPem, toHex(crypto::sha256(certDer)), std::move(*claims)};
}

Result<VerifiedKms> verifyKms(const KmsEndpoint& endpoint, const std::string& expectedMeasurementHex,
                              const std::optional<std::string>& simRootPem, const Clock& clock) {
  KmsExpectations expect;
  expect.measurementHex = expectedMeasurementHex;
  expect.simRootPem = simRootPem;
  expect.tcbStatus = std::nullopt;
  return verifyKms(endpoint, expect, clock);
}

}  // namespace clemmys::kmsclient
