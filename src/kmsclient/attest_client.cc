#include "kmsclient/attest_client.h"

#include <boost/json.hpp>

#include <openssl/crypto.h>

#include "common/encoding.h"
#include "crypto/sealed_box.h"
#include "kms/protocol.h"

namespace clemmys::kmsclient {
namespace {

namespace json = boost::json;

Result<json::object> postJson(http::Client& client, const std::string& target, const json::object& body) {
  auto r = client.request("POST", target, json::serialize(body), {{"Content-Type", "application/json"}});
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) return std::unexpected(replyError(*r));
  try {
    auto v = json::parse(r->body);
    if (!v.is_object()) return fail("kmsclient.bad_reply", "KMS reply is not an object");
    return v.as_object();
  } catch (const std::exception&) {
    return fail("kmsclient.bad_reply", "KMS reply is not JSON");
  }
}

Result<crypto::Bytes> b64Member(const json::object& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return fail("kmsclient.bad_reply", std::string("missing ") + name);
  auto raw = base64UrlDecode(it->value().as_string());
  if (!raw) return fail("kmsclient.bad_reply", std::string(name) + " is not base64url");
  return crypto::Bytes(raw->begin(), raw->end());
}

std::string bytesToString(const crypto::Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace

Result<std::string> requestChallenge(http::Client& client) {
  auto reply = postJson(client, "/v1/attest/challenge", {});
  if (!reply) return std::unexpected(reply.error());
  auto nonce = b64Member(*reply, "nonce");
  if (!nonce) return std::unexpected(nonce.error());
  if (nonce->size() != kms::kNonceSize) return fail("kmsclient.bad_reply", "nonce must be 32 bytes");
  return bytesToString(*nonce);
}

json::object attestBody(const AttestRequest& request, const std::string& nonce, const std::string& evidence,
                        const std::string& evidenceType, const crypto::Bytes& ephemeralPoint) {
  json::object body{{"session", request.session},
                    {"service", request.service},
                    {"nonce", base64UrlEncode(nonce)},
                    {"evidence", base64UrlEncode(evidence)},
                    {"evidence_type", evidenceType},
                    {"ephemeral_public_key", base64UrlEncode(bytesToString(ephemeralPoint))}};
  if (request.function) body["function"] = *request.function;
  if (request.tlsPublicKey) body["tls_public_key"] = base64UrlEncode(bytesToString(*request.tlsPublicKey));
  if (!request.tlsNames.empty()) body["tls_names"] = json::value_from(request.tlsNames);
  if (request.collateralJson) body["collateral"] = *request.collateralJson;
  if (request.pckChainPem) body["pck_chain"] = *request.pckChainPem;
  if (request.snpLeafCertPem) body["snp_leaf_cert"] = *request.snpLeafCertPem;
  if (request.snpCaChainPem) body["snp_ca_chain"] = *request.snpCaChainPem;
  return body;
}

Result<json::object> submitEvidence(http::Client& client, const AttestRequest& request, const std::string& nonce,
                                    const std::string& evidence, const std::string& evidenceType,
                                    const crypto::EcPrivateKey& ephemeral) {
  json::object body = attestBody(request, nonce, evidence, evidenceType, ephemeral.publicPoint());
  auto reply = postJson(client, "/v1/attest", body);
  if (!reply) return std::unexpected(reply.error());
  crypto::SealedBox box;
  auto point = b64Member(*reply, "kms_ephemeral_public_key");
  auto iv = b64Member(*reply, "iv");
  auto ct = b64Member(*reply, "ciphertext");
  if (!point || !iv || !ct) return fail("kmsclient.bad_reply", "sealed configuration incomplete");
  box.ephemeralPoint = std::move(*point);
  box.nonce = std::move(*iv);
  box.ciphertext = std::move(*ct);
  auto plain = crypto::openSealedBox(ephemeral, box, crypto::asBytes(nonce), crypto::asBytes(kms::kReleaseContext));
  if (!plain) return std::unexpected(plain.error());
  try {
    auto v = json::parse(std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size()));
    OPENSSL_cleanse(plain->data(), plain->size());
    if (!v.is_object()) return fail("kmsclient.bad_reply", "configuration is not an object");
    return v.as_object();
  } catch (const std::exception&) {
    return fail("kmsclient.bad_reply", "configuration is not JSON");
  }
}

AttestRequest withInputs(AttestRequest request, const tee::VerifierInputs& inputs) {
  if (!request.collateralJson) request.collateralJson = inputs.collateralJson;
  if (!request.pckChainPem) request.pckChainPem = inputs.pckChainPem;
  if (!request.snpLeafCertPem) request.snpLeafCertPem = inputs.snpLeafCertPem;
  if (!request.snpCaChainPem) request.snpCaChainPem = inputs.snpCaChainPem;
  return request;
}

Result<json::object> fetchConfiguration(http::Client& client, tee::Attester& attester, const AttestRequest& request) {
  auto ephemeral = crypto::EcPrivateKey::generateP256();
  if (!ephemeral) return std::unexpected(ephemeral.error());
  auto nonce = requestChallenge(client);
  if (!nonce) return std::unexpected(nonce.error());
  auto reportData = kms::attestReportData(crypto::asBytes(*nonce), ephemeral->publicPoint());
  auto evidence = attester.attest(reportData);
  if (!evidence) return std::unexpected(evidence.error());
  return submitEvidence(client, withInputs(request, evidence->inputs), *nonce, evidence->bytes, attester.type(),
                        *ephemeral);
}

}  // namespace clemmys::kmsclient
