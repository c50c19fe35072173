#include "kms/api.h"

#include <boost/json.hpp>

#include "common/encoding.h"

namespace clemmys::kms {
namespace {

namespace json = boost::json;

http::Response errorResponse(const Error& e) {
  return http::Response::json(statusFor(e), json::object{{"error", e.name}, {"message", e.message}});
}

Result<json::object> parseBody(const http::Request& r) {
  try {
    json::value v = json::parse(r.body);
    if (!v.is_object()) return fail("kms.bad_request", "body must be a JSON object");
    return v.as_object();
  } catch (const std::exception&) {
    return fail("kms.bad_request", "body is not JSON");
  }
}

Result<std::string> signatureOf(const json::object& body) {
  auto it = body.find("signature");
  if (it == body.end() || !it->value().is_string() || it->value().as_string().empty()) {
    return fail("policy.signature_missing", "the request carries no owner signature");
  }
  auto raw = base64UrlDecode(it->value().as_string());
  if (!raw) return fail("kms.bad_request", "signature is not base64url");
  return *raw;
}

}  // namespace

int statusFor(const Error& e) {
  const std::string& n = e.name;
  if (n == "kms.unknown_session" || n == "kms.not_found") return 404;
  if (n == "kms.too_many_challenges" || n == "kms.rate_limited") return 429;
  if (n == "policy.signature_missing" || n == "policy.signature_invalid") return 403;
  if (n == "policy.stale_predecessor" || n == "policy.session_exists" || n == "policy.hash_reused" ||
      n == "policy.version_not_increasing" || n == "policy.unknown_session" || n == "policy.name_mismatch") {
    return 409;
  }
  if (n.starts_with("policy.") || n == "kms.bad_request") return 400;
  if (n.starts_with("kms.store") || n.starts_with("kms.audit") || n.starts_with("tee.") || n.starts_with("simtee.")) {
    return 500;
  }
  return 403;  // attestation and release refusals
}

KmsApi::KmsApi(SessionManager& sessions, NonceRegistry& nonces, Releaser& releaser, PeerLimiter& limiter,
               KmsIdentity identity)
    : sessions_(sessions), nonces_(nonces), releaser_(releaser), limiter_(limiter), identity_(std::move(identity)) {}

http::Response KmsApi::handle(http::Request& r) {
  std::string peer = peerOf(r.remoteAddress);
  // Before any work: no nonce, no verification, no audit line for a refused request.
  if (auto st = limiter_.admit(peer); !st) return errorResponse(st.error());
  return route(r, peer);
}

http::Response KmsApi::route(http::Request& r, const std::string& peer) {
  const std::string& p = r.path;
  if (p == "/v1/kms/evidence" && r.method == "GET") {
    return http::Response::json(200, json::object{{"evidence_type", identity_.evidenceType},
                                                  {"evidence", base64UrlEncode(identity_.evidence)},
                                                  {"certificate_pem", identity_.certificatePem}});
  }
  if (p == "/v1/attest/challenge" && r.method == "POST") {
    auto nonce = nonces_.issue(peer);
    if (!nonce) return errorResponse(nonce.error());
    return http::Response::json(200, json::object{{"nonce", base64UrlEncode(*nonce)}});
  }
  if (p == "/v1/attest" && r.method == "POST") {
    auto body = parseBody(r);
    if (!body) return errorResponse(body.error());
    auto out = releaser_.release(*body);
    if (!out) return errorResponse(out.error());
    return http::Response::json(200, *out);
  }
  constexpr std::string_view kSessions = "/v1/sessions/";
  if (p.starts_with(kSessions)) {
    std::string rest = p.substr(kSessions.size());
    std::string name = rest, action;
    if (auto slash = rest.find('/'); slash != std::string::npos) {
      name = rest.substr(0, slash);
      action = rest.substr(slash + 1);
    }
    if (action.empty() && r.method == "GET") {
      auto d = sessions_.describe(name);
      return d ? http::Response::json(200, *d) : errorResponse(d.error());
    }
    if (action == "history" && r.method == "GET") {
      auto h = sessions_.history(name);
      return h ? http::Response::json(200, json::object{{"name", name}, {"versions", *h}}) : errorResponse(h.error());
    }
    if (action.empty() && (r.method == "POST" || r.method == "PUT")) {
      auto body = parseBody(r);
      if (!body) return errorResponse(body.error());
      auto policyText = body->find("policy");
      if (policyText == body->end() || !policyText->value().is_string()) {
        return errorResponse(Error{"kms.bad_request", "missing 'policy' (YAML text)"});
      }
      auto sig = signatureOf(*body);
      if (!sig) return errorResponse(sig.error());
      auto applied = sessions_.apply(policyText->value().as_string(), crypto::asBytes(*sig), name);
      if (!applied) return errorResponse(applied.error());
      return http::Response::json(201, json::object{{"name", name}, {"hash", applied->hash}, {"version", applied->version}});
    }
    if (action == "rotate" && r.method == "POST") {
      auto body = parseBody(r);
      if (!body) return errorResponse(body.error());
      auto sig = signatureOf(*body);
      if (!sig) return errorResponse(sig.error());
      auto v = sessions_.rotate(name, crypto::asBytes(*sig));
      if (!v) return errorResponse(v.error());
      return http::Response::json(200, json::object{{"name", name}, {"key_version", *v}});
    }
  }
  return errorResponse(Error{"kms.not_found", r.method + " " + p + " is not a KMS route"});
}

}  // namespace clemmys::kms
