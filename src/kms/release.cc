#include "kms/release.h"

#include <boost/json.hpp>

#include <openssl/crypto.h>

#include "common/encoding.h"
#include "crypto/sealed_box.h"
#include "kms/protocol.h"

namespace clemmys::kms {
namespace {

namespace json = boost::json;

struct AttestRequest {
  std::string session, service, evidenceType;
  std::optional<std::string> function;
  std::string nonce, evidence, ephemeralPoint;
  std::optional<std::string> tlsPublicKey;
  std::vector<std::string> tlsNames;
  attest::VerifyOptions options;
};

Result<std::string> field(const json::object& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return fail("kms.bad_request", std::string("missing string '") + name + "'");
  return std::string(it->value().as_string());
}

std::optional<std::string> optionalField(const json::object& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

Result<std::string> b64Field(const json::object& o, const char* name) {
  auto v = field(o, name);
  if (!v) return v;
  auto raw = base64UrlDecode(*v);
  if (!raw) return fail("kms.bad_request", std::string("'") + name + "' is not base64url");
  return *raw;
}

Result<AttestRequest> parseRequest(const json::object& o) {
  AttestRequest r;
  for (auto [dst, name] : {std::pair{&r.session, "session"}, {&r.service, "service"}, {&r.evidenceType, "evidence_type"}}) {
    auto v = field(o, name);
    if (!v) return std::unexpected(v.error());
    *dst = *v;
  }
  for (auto [dst, name] : {std::pair{&r.nonce, "nonce"}, {&r.evidence, "evidence"}, {&r.ephemeralPoint, "ephemeral_public_key"}}) {
    auto v = b64Field(o, name);
    if (!v) return std::unexpected(v.error());
    *dst = *v;
  }
  if (r.nonce.size() != kNonceSize) return fail("kms.bad_request", "nonce must be 32 bytes");
  r.function = optionalField(o, "function");
  if (auto k = optionalField(o, "tls_public_key")) {
    auto raw = base64UrlDecode(*k);
    if (!raw) return fail("kms.bad_request", "'tls_public_key' is not base64url");
    r.tlsPublicKey = *raw;
  }
  if (auto it = o.find("tls_names"); it != o.end()) {
    if (!it->value().is_array()) return fail("kms.bad_request", "'tls_names' must be a list");
    for (const auto& n : it->value().as_array()) {
      if (!n.is_string()) return fail("kms.bad_request", "'tls_names' must hold strings");
      r.tlsNames.emplace_back(n.as_string());
    }
  }
  r.options.collateralJson = optionalField(o, "collateral");
  r.options.pckChainPem = optionalField(o, "pck_chain");
  r.options.snpLeafCert = optionalField(o, "snp_leaf_cert");
  r.options.snpCaChainPem = optionalField(o, "snp_ca_chain");
  r.options.allowDebug = false;
  return r;
}

}  // namespace

Releaser::Releaser(SessionManager& sessions, NonceRegistry& nonces, const VerifierMap& verifiers, AuditLog& audit,
                   Random& random)
    : sessions_(sessions), nonces_(nonces), verifiers_(verifiers), audit_(audit), random_(random) {}

Result<json::object> Releaser::release(const json::object& body) {
  auto req = parseRequest(body);
  if (!req) return std::unexpected(req.error());
  AuditEntry audit{req->session, req->service, req->function.value_or(""), "", req->evidenceType, false, {}};
  auto refuse = [&](const Error& e) -> Result<json::object> {
    audit.error = e.name;
    (void)audit_.append(audit);  // the refusal itself is what the caller sees
    return std::unexpected(e);
  };

  if (auto st = nonces_.consume(req->nonce); !st) return refuse(st.error());
  auto service = sessions_.servicePolicy(req->session, req->service);
  if (!service) return refuse(service.error());
  auto claims = verifyEvidence(*service, verifiers_, req->evidenceType, crypto::asBytes(req->evidence), req->options);
  if (!claims) return refuse(claims.error());
  audit.measurementHex = toHex(claims->measurement);
  audit.insecure = claims->insecure;
  auto expected = attestReportData(crypto::asBytes(req->nonce), crypto::asBytes(req->ephemeralPoint));
  if (auto st = checkClaims(*service, *claims, expected); !st) return refuse(st.error());
  auto ephemeral = crypto::p256FromPoint(crypto::asBytes(req->ephemeralPoint));
  if (!ephemeral) return refuse(Error{"kms.bad_request", "ephemeral_public_key: " + ephemeral.error().str()});

  auto material = sessions_.material(req->session, req->service, req->function ? &*req->function : nullptr);
  if (!material) return refuse(material.error());
  json::array keys;
  for (const auto& [version, key] : material->keys) {
    keys.push_back(json::object{{"version", version},
                                {"key", base64UrlEncode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()))}});
  }
  json::object config{{"session", req->session},
                      {"service", req->service},
                      {"policy_hash", material->policyHash},
                      {"policy_version", material->policyVersion},
                      {"measurement", audit.measurementHex},
                      {"evidence_type", req->evidenceType},
                      {"insecure", claims->insecure},
                      {"keys", std::move(keys)},
                      {"current_key_version", material->keys.back().first},
                      {"session_ca_pem", material->caCertPem},
                      {"env", material->env},
                      {"argv", material->argv},
                      {"files", material->files},
                      {"pinned_digests", material->pinnedDigests},
                      {"function_digests", material->functionDigests},
                      {"message_lifetime_ms", material->messageLifetimeMs}};
  config["function"] = req->function ? json::value(*req->function) : json::value(nullptr);
  if (req->tlsPublicKey) {
    if (req->service != "gateway") return refuse(Error{"kms.bad_request", "only the gateway receives a TLS certificate"});
    auto key = crypto::PublicKey::fromSpkiDer(crypto::asBytes(*req->tlsPublicKey));
    if (!key) return refuse(Error{"kms.bad_request", "tls_public_key: " + key.error().str()});
    std::vector<std::string> names = req->tlsNames.empty() ? std::vector<std::string>{"localhost", "127.0.0.1"}
                                                           : req->tlsNames;
    auto cert = sessions_.issueServiceCertificate(req->session, req->service, *key, names);
    if (!cert) return refuse(cert.error());
    config["tls_certificate_pem"] = *cert;
  }
  std::string plaintext = json::serialize(config);
  auto box = crypto::sealToP256(*ephemeral, crypto::asBytes(req->nonce), crypto::asBytes(kReleaseContext),
                                crypto::asBytes(plaintext), random_);
  OPENSSL_cleanse(plaintext.data(), plaintext.size());
  if (!box) return refuse(box.error());
  if (auto st = audit_.append(audit); !st) return std::unexpected(st.error());  // no release without a record
  auto str = [](const crypto::Bytes& b) { return std::string(b.begin(), b.end()); };
  return json::object{{"kms_ephemeral_public_key", base64UrlEncode(str(box->ephemeralPoint))},
                      {"iv", base64UrlEncode(str(box->nonce))},
                      {"ciphertext", base64UrlEncode(str(box->ciphertext))},
                      {"insecure", claims->insecure}};
}

}  // namespace clemmys::kms
