// Gateway reads of activation records: each record's envelopes are opened and
// must belong to it (record_opener.h) before anything reaches the client.
#include <boost/json.hpp>

#include "common/encoding.h"
#include "gateway/gateway.h"
#include "gateway/record_opener.h"

namespace clemmys::gateway {

namespace json = boost::json;

namespace {
constexpr int kMaxCauseDepth = 50;

std::string activationTarget(const std::string& ns, std::string_view id) {
  return "/api/v1/namespaces/" + http::percentEncode(ns) + "/activations/" + http::percentEncode(id);
}

const json::string* str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}
}  // namespace

Result<json::object> Gateway::fetchRecord(const std::string& ns, const std::string& id,
                                          std::optional<http::Response>& upstreamFailure) {
  auto r = controller_.request("GET", activationTarget(ns, id), "");
  if (!r) return std::unexpected(r.error());
  if (r->status != 200) {
    upstreamFailure = *r;
    return fail("gateway.upstream_refused", "activation " + id);
  }
  std::error_code ec;
  auto v = json::parse(r->body, ec);
  if (ec || !v.is_object()) return fail("gateway.bad_upstream", "activation record is not JSON");
  auto* aid = str(v.as_object(), "activationId");
  if (aid == nullptr || *aid != id) return fail("gateway.substituted_result", "record is for another activation");
  return std::move(v.as_object());
}

// The id the gateway issued for the chain this record belongs to: its own for
// a top-level activation, the topmost `cause` for sequence components.
Status Gateway::openRecord(json::object& record, const std::string& ns) {
  auto* own = str(record, "activationId");
  if (own == nullptr) return fail("gateway.bad_upstream", "record without activationId");
  std::string root(*own);
  const json::string* cause = str(record, "cause");
  json::object ancestor;
  for (int depth = 0; cause != nullptr; ++depth) {
    if (depth >= kMaxCauseDepth) return fail("gateway.chain_mismatch", "cause chain too deep");
    root = std::string(*cause);
    std::optional<http::Response> failure;
    auto parent = fetchRecord(ns, root, failure);
    if (!parent) return fail("gateway.chain_mismatch", "cause " + root + " unavailable: " + parent.error().str());
    ancestor = std::move(*parent);
    cause = str(ancestor, "cause");
  }
  auto raw = fromHex(root);
  if (!raw || raw->size() != 16) return fail("gateway.bad_upstream", "activation id is not 32 hex");
  envelope::Id id;
  std::copy(raw->begin(), raw->end(), id.begin());
  return openRecordInPlace(record, id, root != *own, keys_);
}

http::Response Gateway::activations(const http::Request& request, const Route& route) {
  if (route.rest.empty()) {
    if (request.param("docs") != std::optional<std::string_view>("true")) return forward(request);
    auto r = controller_.request("GET", request.target, "");
    if (!r) return refusal(r.error());
    if (r->status != 200) return passthrough(*r);
    std::error_code ec;
    auto list = json::parse(r->body, ec);
    if (ec || !list.is_array()) return refusal(Error{"gateway.bad_upstream", "activation list is not a JSON array"});
    for (auto& item : list.as_array()) {
      if (!item.is_object()) return refusal(Error{"gateway.bad_upstream", "activation list entry"});
      if (auto st = openRecord(item.as_object(), route.ns); !st) return refusal(st.error());
    }
    return http::Response::json(200, list).set("Access-Control-Allow-Origin", "*");
  }
  std::string_view rest = route.rest;
  std::string part;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    part = std::string(rest.substr(slash + 1));
    rest = rest.substr(0, slash);
    if (part != "result" && part != "logs") return forward(request);
  }
  std::optional<http::Response> failure;
  auto record = fetchRecord(route.ns, std::string(rest), failure);
  if (failure) return passthrough(*failure);
  if (!record) return refusal(record.error());
  if (auto st = openRecord(*record, route.ns); !st) return refusal(st.error());
  json::value out;
  if (part == "result") {
    json::object response = record->at("response").as_object();
    response.erase("statusCode");
    out = std::move(response);
  } else if (part == "logs") {
    auto* logs = record->if_contains("logs");
    out = json::object{{"logs", logs != nullptr ? *logs : json::value(json::array())}};
  } else {
    out = std::move(*record);
  }
  return http::Response::json(200, out).set("Access-Control-Allow-Origin", "*");
}

}  // namespace clemmys::gateway
