// /api/v1/namespaces/{ns}/activations[/{id}[/result|/logs]].
#include "controller/api.h"
#include "controller/messages.h"
#include "runtime/json_depth.h"

namespace clemmys::controller {

namespace {
// docs=true answers stop adding records past this (doc/api.md); one record always fits.
constexpr size_t kMaxListingBytes = 4 << 20;
}  // namespace

http::Response Api::activations(http::Request& r, Ctx& ctx, const Segments& rest) {
  if (r.method != "GET" && r.method != "HEAD")
    return errorResponse(405, msg::kMethodNotAllowed, ctx.txid);
  if (rest.empty()) return listActivations(r, ctx);
  if (rest.size() > 2) return errorResponse(404, msg::kNotFound, ctx.txid);
  if (!isActivationId(rest[0])) return errorResponse(400, msg::kActivationIdIllegal, ctx.txid);
  std::string_view part = rest.size() == 2 ? rest[1] : std::string_view();
  if (!part.empty() && part != "result" && part != "logs")
    return errorResponse(404, msg::kNotFound, ctx.txid);

  auto row = store_.getActivation(ctx.subject->ns, std::string(rest[0]));
  if (!row) return internalError(row.error(), ctx.txid);
  // A pending activation has no record yet, as in OpenWhisk.
  if (!*row || (*row)->pending) return errorResponse(404, msg::kNotFound, ctx.txid);
  std::error_code ec;
  json::value doc = json::parse((*row)->doc, ec, {}, carriedJsonOptions());
  if (ec || !doc.is_object())
    return internalError(Error{"controller.corrupt_activation", std::string(rest[0])}, ctx.txid);
  json::object& rec = doc.as_object();
  if (part.empty()) return jsonResponse(200, rec);
  if (part == "logs") {
    json::value logs = rec.contains("logs") ? rec["logs"] : json::array();
    return jsonResponse(200, json::object{{"logs", std::move(logs)}});
  }
  json::object result;
  json::object& resp = rec["response"].as_object();
  for (const char* k : {"status", "success", "result", "size"})
    if (auto* v = resp.if_contains(k)) result[k] = *v;
  return jsonResponse(200, result);
}

http::Response Api::listActivations(http::Request& r, Ctx& ctx) {
  int limit = 0, skip = 0;
  std::string error;
  if (!parsePaging(r, "activations", limit, skip, error))
    return errorResponse(400, error, ctx.txid);
  store::ActivationQuery q;
  q.ns = ctx.subject->ns;
  q.limit = limit;
  q.skip = skip;
  if (auto it = r.query.find("name"); it != r.query.end()) {
    // "name" or "pkg/name"; a leading namespace-less path is not accepted.
    auto parsed = parseFqn("/_/" + it->second, ctx.subject->ns);
    if (!parsed) return errorResponse(400, msg::badNameFilter(it->second), ctx.txid);
    q.name = parsed->path;
  }
  for (const char* key : {"since", "upto"}) {
    auto it = r.query.find(key);
    if (it == r.query.end()) continue;
    auto v = parseInteger(it->second);
    if (!v || *v < 0) return errorResponse(400, msg::badEpoch(it->second), ctx.txid);
    (std::string_view(key) == "since" ? q.sinceMs : q.uptoMs) = *v;
  }
  bool docs = queryFlag(r, "docs");
  if (queryFlag(r, "count")) {
    if (docs) return errorResponse(400, msg::kDocsWithCount, ctx.txid);
    auto n = store_.countActivations(q);
    if (!n) return internalError(n.error(), ctx.txid);
    return jsonResponse(200, json::object{{"activations", *n}});
  }
  // Ids first, then one record at a time: the listing never holds more than one
  // record and its answer, and the answer with docs is bounded in bytes.
  q.idsOnly = true;
  auto rows = store_.listActivations(q);
  if (!rows) return internalError(rows.error(), ctx.txid);
  std::string body = "[";
  size_t returned = 0;
  bool truncated = false;
  for (auto& ref : *rows) {
    if (ref.pending) continue;  // not a record yet
    if (docs && returned > 0 && body.size() >= kMaxListingBytes) {
      truncated = true;
      break;
    }
    auto row = store_.getActivation(q.ns, ref.id, /*flushFirst=*/false);  // the listing flushed
    if (!row) return internalError(row.error(), ctx.txid);
    if (!*row || (*row)->pending) continue;  // expired or replaced meanwhile
    std::error_code ec;
    json::value doc = json::parse((*row)->doc, ec, {}, carriedJsonOptions());
    if (ec || !doc.is_object()) continue;
    (*row)->doc = std::string();
    std::string item = docs ? json::serialize(doc) : json::serialize(activationSummary(doc.as_object()));
    if (docs && returned > 0 && body.size() + item.size() + 2 > kMaxListingBytes) {
      truncated = true;
      break;
    }
    if (returned++ > 0) body += ',';
    body += item;
  }
  body += ']';
  http::Response out;
  out.status = 200;
  out.headers.emplace_back("Content-Type", "application/json");
  if (truncated) out.headers.emplace_back("X-Clemmys-Truncated", std::to_string(returned));
  out.body = std::move(body);
  return out;
}

}  // namespace clemmys::controller
