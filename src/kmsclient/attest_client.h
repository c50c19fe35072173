// fetchConfiguration: the attested side of key release (a runtime, the
// gateway): challenge -> evidence binding nonce + a fresh ephemeral P-256 key
// -> attest -> open the sealed configuration (doc/formats/kms-api.md).
// The returned JSON holds application keys and resolved secrets: the caller
// owns it, must not log it, and should drop it once it has taken what it needs.
// Thread safety: independent calls may run concurrently (one connection each)
// unless they share `client`.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "crypto/ec_key.h"
#include "http/client.h"
#include "kmsclient/endpoint.h"
#include "tee/attester.h"

namespace clemmys::kmsclient {

struct AttestRequest {
  std::string session;
  std::string service;                  // "runtime", "gateway", ...
  std::optional<std::string> function;  // fqn whose env/argv/files to receive
  // Gateway: a TLS certificate from the session CA for this key (SPKI DER).
  std::optional<crypto::Bytes> tlsPublicKey;
  std::vector<std::string> tlsNames;
  // Verifier inputs from the host's collateral cache (doc/formats/kms-api.md);
  // unset fields are not sent. Sim evidence needs none of them.
  std::optional<std::string> collateralJson;  // DCAP collateral for TCB evaluation
  std::optional<std::string> pckChainPem;     // PCK chain for PPID (type 1..3) quotes
  std::optional<std::string> snpLeafCertPem;  // SEV-SNP VCEK or VLEK
  std::optional<std::string> snpCaChainPem;   // ASK/ASVK ‖ ARK
};

// The evidence comes from attester.attest(); the verifier inputs it gathered
// (collateral cache, SNP auxblob) fill the request's unset ones (withInputs).
// Errors: the KMS's named refusal (kms.*, attest.*), http.*, tee.*/simtee.*,
// kmsclient.bad_reply, crypto.aead_open_failed.
Result<boost::json::object> fetchConfiguration(http::Client& client, tee::Attester& attester,
                                               const AttestRequest& request);

// `request` with its unset verifier inputs taken from `inputs`.
AttestRequest withInputs(AttestRequest request, const tee::VerifierInputs& inputs);

// The two steps fetchConfiguration composes, for callers that obtain evidence
// another way. requestChallenge returns the raw 32-byte nonce; submitEvidence
// sends evidence (which must bind kms::attestReportData(nonce, ephemeral
// point)) and opens the reply with `ephemeral`.
Result<std::string> requestChallenge(http::Client& client);
// The POST /v1/attest body submitEvidence sends; verifier inputs only when set.
boost::json::object attestBody(const AttestRequest& request, const std::string& nonce, const std::string& evidence,
                               const std::string& evidenceType, const crypto::Bytes& ephemeralPoint);
Result<boost::json::object> submitEvidence(http::Client& client, const AttestRequest& request, const std::string& nonce,
                                           const std::string& evidence, const std::string& evidenceType,
                                           const crypto::EcPrivateKey& ephemeral);

}  // namespace clemmys::kmsclient
