#include "gateway/gateway.h"

#include <boost/json.hpp>
#include <openssl/crypto.h>

#include "common/encoding.h"
#include "common/log.h"
#include "gateway/action_codec.h"

namespace clemmys::gateway {

namespace json = boost::json;

namespace {

constexpr std::string_view kNamespacesPrefix = "/api/v1/namespaces/";

bool hopByHop(std::string_view name) {
  auto eq = [&](std::string_view other) {
    if (name.size() != other.size()) return false;
    for (size_t i = 0; i < name.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(name[i])) != other[i]) return false;
    return true;
  };
  return eq("content-length") || eq("connection") || eq("transfer-encoding") || eq("keep-alive");
}

}  // namespace

Gateway::Gateway(GatewayOptions options, const envelope::KeyRing& keys, Upstream& controller, const Clock& clock,
                 Random& random)
    : options_(std::move(options)),
      keys_(keys),
      controller_(controller),
      clock_(clock),
      random_(random),
      ledger_(keys, clock),
      resolver_(controller, keys) {}

http::Response Gateway::error(int status, const std::string& message) {
  auto r = http::Response::json(status, json::object{{"error", message}, {"code", random_.hex(16)}});
  r.set("Access-Control-Allow-Origin", "*");
  return r;
}

http::Response Gateway::refusal(const Error& e, int status) {
  // The error name and message carry no plaintext (envelope and gateway checks
  // name what failed, never what was inside).
  log::warn("gateway: refused: " + e.str());
  return error(status, e.str());
}

http::Response Gateway::tooLarge(uint64_t length, size_t limit) {
  return error(413, "Request larger than allowed: " + std::to_string(length) + " > " + std::to_string(limit) +
                        " bytes.");
}

http::Response Gateway::passthrough(const http::Response& upstream) {
  http::Response r;
  r.status = upstream.status;
  r.body = upstream.body;
  for (const auto& [k, v] : upstream.headers)
    if (!hopByHop(k)) r.headers.emplace_back(k, v);
  return r;
}

http::Response Gateway::forward(const http::Request& request) {
  auto r = controller_.request(request.method, request.target, request.body);
  if (!r) return refusal(r.error(), 502);
  return passthrough(*r);
}

bool Gateway::authorized(const http::Request& request) const {
  auto header = request.header("Authorization");
  constexpr std::string_view kBasic = "Basic ";
  if (!header || header->substr(0, kBasic.size()) != kBasic) return false;
  auto decoded = base64Decode(header->substr(kBasic.size()));
  if (!decoded) return false;
  bool ok = false;
  for (const auto& c : options_.clientCredentials)
    ok |= c.size() == decoded->size() && CRYPTO_memcmp(c.data(), decoded->data(), c.size()) == 0;
  OPENSSL_cleanse(decoded->data(), decoded->size());
  return ok;
}

Result<std::string> Gateway::resolveNamespace(const std::string& ns, std::optional<http::Response>& upstreamFailure) {
  if (ns != "_") return ns;
  {
    std::lock_guard lock(nsMutex_);
    if (!namespace_.empty()) return namespace_;
  }
  auto r = controller_.request("GET", "/api/v1/namespaces", "");
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) {
    upstreamFailure = *r;
    return fail("gateway.upstream_refused", "namespaces");
  }
  std::error_code ec;
  auto v = json::parse(r->body, ec);
  if (ec || !v.is_array() || v.as_array().empty() || !v.as_array()[0].is_string())
    return fail("gateway.bad_upstream", "namespace list");
  std::lock_guard lock(nsMutex_);
  namespace_ = std::string(v.as_array()[0].as_string());
  return namespace_;
}

// GET /health, unauthenticated (doc/gateway.md): this gateway answers, and whether the
// controller behind it does. Names no secret and no tenant.
http::Response Gateway::health() {
  auto r = controller_.request("GET", "/api/v1", "");
  bool up = r && r->status == 200;
  return http::Response::json(up ? 200 : 503, json::object{{"gateway", "ok"}, {"controller", up ? "ok" : "unreachable"}});
}

http::Response Gateway::handle(http::Request& request) {
  if (request.path == "/health" && (request.method == "GET" || request.method == "HEAD")) return health();
  if (request.method == "OPTIONS") return forward(request);
  if (request.path.substr(0, kNamespacesPrefix.size() - 1) != kNamespacesPrefix.substr(0, kNamespacesPrefix.size() - 1))
    return forward(request);  // "/", "/api/v1": public info
  if (!authorized(request)) {
    auto r = error(401, "The supplied authentication is invalid");
    r.set("WWW-Authenticate", "Basic realm=\"OpenWhisk secure realm\"");
    return r;
  }
  if (request.path.size() <= kNamespacesPrefix.size()) return forward(request);  // the namespace list
  Route route;
  std::string_view rest = std::string_view(request.path).substr(kNamespacesPrefix.size());
  size_t slash = rest.find('/');
  route.ns = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) {
    rest = rest.substr(slash + 1);
    slash = rest.find('/');
    route.collection = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) route.rest = std::string(rest.substr(slash + 1));
  }
  if (route.collection == "actions") {
    if (route.rest.empty()) return request.method == "GET" ? listActions(request) : forward(request);
    if (request.method == "PUT") return putAction(request, route);
    if (request.method == "GET") return getAction(request, route);
    if (request.method == "DELETE") return deleteAction(request, route);
    if (request.method == "POST") return invoke(request, route);
    return forward(request);
  }
  if (route.collection == "activations" && request.method == "GET") return activations(request, route);
  // Other collections carry no sealed data through this gateway; the
  // controller answers them (404/405 for what it does not implement). Bodies
  // are refused so no plaintext can ride along.
  if (!request.body.empty()) return error(404, "The requested resource does not exist.");
  return forward(request);
}

http::Response Gateway::putAction(const http::Request& request, const Route& route) {
  std::error_code ec;
  auto parsedBody = json::parse(request.body, ec);
  if (ec) return error(400, std::string(kMalformed) + ec.message());
  if (!parsedBody.is_object()) return error(400, std::string(kMalformed) + "expected a JSON object");
  const auto& body = parsedBody.as_object();
  std::optional<http::Response> upstreamFailure;
  auto ns = resolveNamespace(route.ns, upstreamFailure);
  if (upstreamFailure) return passthrough(*upstreamFailure);
  if (!ns) return refusal(ns.error());
  std::string fqn = fqnOf(*ns, route.rest);
  SealContext ctx{keys_, options_.keyVersion, random_};
  Result<json::object> sealed = std::unexpected(Error{});
  if (body.if_contains("exec") != nullptr) {
    sealed = sealActionBody(body, fqn, *ns, ctx);
  } else if (request.param("overwrite") == std::optional<std::string_view>("true")) {
    auto stored = controller_.request("GET", actionTarget(fqn), "");
    if (!stored) return refusal(stored.error());
    if (stored->status == 404) return error(400, std::string(kMalformed) + "exec undefined");
    if (stored->status != 200) return passthrough(*stored);
    auto doc = json::parse(stored->body, ec);
    if (ec || !doc.is_object()) return refusal(Error{"gateway.bad_upstream", "stored action is not JSON"});
    sealed = sealUpdateBody(body, doc.as_object(), ctx);
  } else {
    // Create without exec: the controller refuses it (409 or 400); plaintext
    // parameters are not sent along.
    json::object stripped = body;
    stripped.erase("parameters");
    sealed = stripped;
  }
  if (!sealed) {
    if (sealed.error().name == "gateway.bad_request") return error(400, sealed.error().message);
    return refusal(sealed.error());
  }
  auto r = controller_.request("PUT", request.target, json::serialize(*sealed));
  if (!r) return refusal(r.error());
  if (r->status / 100 == 2) resolver_.invalidate();
  return documentReply(*r);
}

http::Response Gateway::getAction(const http::Request& request, const Route&) {
  auto r = controller_.request("GET", request.target, "");
  if (!r) return refusal(r.error());
  return documentReply(*r);
}

http::Response Gateway::documentReply(const http::Response& upstream) {
  if (upstream.status != 200) return passthrough(upstream);
  std::error_code ec;
  auto doc = json::parse(upstream.body, ec);
  if (ec || !doc.is_object()) return refusal(Error{"gateway.bad_upstream", "action document is not JSON"});
  auto opened = openActionDocument(doc.as_object(), keys_);
  if (!opened) return refusal(opened.error());
  return http::Response::json(200, *opened).set("Access-Control-Allow-Origin", "*");
}

http::Response Gateway::deleteAction(const http::Request& request, const Route&) {
  auto r = controller_.request("DELETE", request.target, "");
  if (!r) return refusal(r.error());
  if (r->status / 100 == 2) resolver_.invalidate();
  return documentReply(*r);
}

http::Response Gateway::listActions(const http::Request& request) {
  auto r = controller_.request("GET", request.target, "");
  if (!r) return refusal(r.error());
  if (r->status != 200) return passthrough(*r);
  std::error_code ec;
  auto list = json::parse(r->body, ec);
  if (ec) return refusal(Error{"gateway.bad_upstream", "action list is not JSON"});
  if (!list.is_array()) return passthrough(*r);  // count=true
  for (auto& item : list.as_array()) {
    if (!item.is_object()) continue;
    stripSummary(item.as_object());
    item.as_object().erase("parameters");
  }
  return http::Response::json(200, list).set("Access-Control-Allow-Origin", "*");
}

}  // namespace clemmys::gateway
