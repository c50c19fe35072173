#include "kmsclient/kms_verify.h"

#include <boost/json.hpp>

#include <algorithm>

#include "attest/dcap_verifier.h"
#include "attest/trust_anchors.h"
#include "common/encoding.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "kms/protocol.h"

namespace clemmys::kmsclient {

namespace json = boost::json;

Result<VerifiedKms> verifyKms(const KmsEndpoint& endpoint, const std::string& expectedMeasurementHex,
                              const std::optional<std::string>& simRootPem, const Clock& clock) {
  // No trust yet: the certificate is checked against the evidence below.
  http::Client client(endpoint.host, endpoint.port, http::ClientTls{"", endpoint.host, false});
  auto reply = client.request("GET", "/v1/kms/evidence");
  if (!reply) return std::unexpected(reply.error());
  if (reply->status != 200) return std::unexpected(replyError(*reply));
  std::string peerDer = client.peerCertificateDer();
  std::string type, evidence, certPem;
  try {
    auto o = json::parse(reply->body).as_object();
    type = json::value_to<std::string>(o.at("evidence_type"));
    auto raw = base64UrlDecode(o.at("evidence").as_string());
    if (!raw) return fail("kmsclient.bad_reply", "evidence is not base64url");
    evidence = *raw;
    certPem = json::value_to<std::string>(o.at("certificate_pem"));
  } catch (const std::exception&) {
    return fail("kmsclient.bad_reply", "malformed evidence reply");
  }
  auto chain = crypto::Certificate::chainFromPem(certPem);
  if (!chain || chain->empty()) return fail("kmsclient.bad_reply", "certificate_pem does not parse");
  auto certDer = (*chain)[0].der();
  if (peerDer.empty() || std::string(certDer.begin(), certDer.end()) != peerDer) {
    return fail("kmsclient.certificate_mismatch", "the TLS certificate differs from the one in the evidence reply");
  }
  std::unique_ptr<attest::Verifier> verifier;
  if (type == "sim") {
    if (!simRootPem) return fail("kmsclient.sim_root_required", "sim evidence needs --sim-root");
    auto root = crypto::Certificate::chainFromPem(*simRootPem);
    if (!root || root->size() != 1) return fail("kmsclient.bad_sim_root", "sim root must be one PEM certificate");
    verifier = std::make_unique<attest::DcapVerifier>(attest::EvidenceType::kSim, (*root)[0].publicKey().spkiDer(), clock);
  } else if (type == "sgx" || type == "tdx") {
    verifier = std::make_unique<attest::DcapVerifier>(type == "sgx" ? attest::EvidenceType::kSgx : attest::EvidenceType::kTdx,
                                                      attest::intelSgxRootSpki(), clock);
  } else {
    return fail("kmsclient.evidence_type_unsupported", "cannot verify " + type + " evidence");
  }
  auto claims = verifier->verify(crypto::asBytes(evidence), attest::VerifyOptions{});
  if (!claims) return std::unexpected(claims.error());
  std::string measured = toHex(claims->measurement);
  std::string expected = expectedMeasurementHex;
  std::transform(expected.begin(), expected.end(), expected.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  if (measured != expected) {
    return fail("kmsclient.measurement_mismatch", "KMS measurement is " + measured + ", expected " + expected);
  }
  auto binding = kms::kmsTlsReportData(certDer);
  if (claims->reportData.size() != binding.size() ||
      !std::equal(binding.begin(), binding.end(), claims->reportData.begin())) {
    return fail("kmsclient.report_data_mismatch", "the evidence does not bind the KMS's TLS certificate");
  }
  return VerifiedKms{certPem, toHex(crypto::sha256(certDer)), std::move(*claims)};
}

}  // namespace clemmys::kmsclient
