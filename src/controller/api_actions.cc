// /api/v1/namespaces/{ns}/actions[/{pkg}]/{name}: list, get, put, delete, invoke.
#include "controller/api.h"
#include "controller/messages.h"
#include "runtime/json_depth.h"

namespace clemmys::controller {

namespace {

constexpr int64_t kMaxWaitMs = 60000;

// Parses a request body that must be a JSON object when present.
Result<json::object> objectBody(const std::string& body) {
  if (body.empty()) return json::object();
  std::error_code ec;
  json::value v = json::parse(body, ec, {}, argumentJsonOptions());
  if (ec) return fail("controller.bad_request", std::string(msg::kMalformed) + ec.message());
  if (!v.is_object())
    return fail("controller.bad_request", std::string(msg::kMalformed) + "expected a JSON object");
  return std::move(v.as_object());
}

http::Response withActivationId(http::Response r, const std::string& id) {
  r.set("x-openwhisk-activation-id", id);
  return r;
}

}  // namespace

http::Response Api::actions(http::Request& r, Ctx& ctx, const Segments& rest) {
  if (rest.empty()) {
    if (r.method != "GET" && r.method != "HEAD")
      return errorResponse(405, msg::kMethodNotAllowed, ctx.txid);
    return listActions(r, ctx);
  }
  if (rest.size() > 2) return errorResponse(404, msg::kNotFound, ctx.txid);
  for (auto seg : rest)
    if (!isValidEntityName(seg)) return errorResponse(400, msg::kEntityNameIllegal, ctx.txid);
  QualifiedName name{ctx.subject->ns, std::string(rest[0])};
  if (rest.size() == 2) name.path += "/" + std::string(rest[1]);

  if (r.method == "PUT") return putAction(r, ctx, name);
  if (r.method == "POST") return invoke(r, ctx, name);
  if (r.method == "GET" || r.method == "HEAD") {
    auto e = registry_.find(name);
    if (!e) return internalError(e.error(), ctx.txid);
    if (!*e) return errorResponse(404, msg::kNotFound, ctx.txid);
    auto code = r.query.find("code");
    if (code != r.query.end() && code->second == "false")
      return jsonResponse(200, withoutCode((*e)->doc));
    return jsonResponse(200, (*e)->doc);
  }
  if (r.method == "DELETE") {
    auto deleted = registry_.remove(name);
    if (!deleted) return internalError(deleted.error(), ctx.txid);
    if (!*deleted) return errorResponse(404, msg::kNotFound, ctx.txid);
    return jsonResponse(200, **deleted);
  }
  return errorResponse(405, msg::kMethodNotAllowed, ctx.txid);
}

http::Response Api::listActions(http::Request& r, Ctx& ctx) {
  int limit = 0, skip = 0;
  std::string error;
  if (!parsePaging(r, "actions", limit, skip, error)) return errorResponse(400, error, ctx.txid);
  if (queryFlag(r, "count")) {
    auto n = registry_.count(ctx.subject->ns);
    if (!n) return internalError(n.error(), ctx.txid);
    return jsonResponse(200, json::object{{"actions", *n}});
  }
  auto list = registry_.list(ctx.subject->ns, limit, skip);
  if (!list) return internalError(list.error(), ctx.txid);
  return jsonResponse(200, *list);
}

http::Response Api::putAction(http::Request& r, Ctx& ctx, const QualifiedName& name) {
  json::value body;
  if (r.body.empty()) {
    body = json::object();
  } else {
    std::error_code ec;
    body = json::parse(r.body, ec, {}, carriedJsonOptions());
    if (ec) return errorResponse(400, std::string(msg::kMalformed) + ec.message(), ctx.txid);
  }
  auto doc = registry_.put(name, body, queryFlag(r, "overwrite"));
  if (!doc) {
    if (doc.error().name == "controller.bad_request")
      return errorResponse(400, doc.error().message, ctx.txid);
    if (doc.error().name == "controller.exists") return errorResponse(409, msg::kExists, ctx.txid);
    return internalError(doc.error(), ctx.txid);
  }
  return jsonResponse(200, *doc);
}

http::Response Api::invoke(http::Request& r, Ctx& ctx, const QualifiedName& name) {
  bool blocking = queryFlag(r, "blocking");
  bool resultOnly = queryFlag(r, "result");
  int64_t waitMs = kMaxWaitMs;
  if (auto it = r.query.find("timeout"); it != r.query.end()) {
    auto v = parseInteger(it->second);
    if (!v || *v <= 0 || *v > kMaxWaitMs) return errorResponse(400, msg::kInvalidTimeout, ctx.txid);
    waitMs = *v;
  }
  auto body = objectBody(r.body);
  if (!body) return errorResponse(400, body.error().message, ctx.txid);

  std::string id;
  bool idFromCaller = false;
  if (auto given = r.header("X-Clemmys-Activation-Id")) {
    idFromCaller = true;
    if (!isActivationId(*given)) return errorResponse(400, msg::kActivationIdIllegal, ctx.txid);
    id = std::string(*given);
  } else {
    id = activator_.newActivationId();
  }

  auto action = registry_.find(name);
  if (!action) return internalError(action.error(), ctx.txid);
  if (!*action) return errorResponse(404, msg::kNotFound, ctx.txid);

  InvokeRequest req;
  req.action = std::move(*action);
  req.body = std::move(*body);
  req.meta = ActivationMeta{id, ctx.subject->ns, ctx.subject->ns, std::nullopt};
  req.transactionId = ctx.txid;
  if (req.action->provideApiKey) req.apiKey = ctx.subject->uuid + ":" + ctx.subject->key;
  req.blocking = blocking;
  req.idFromCaller = idFromCaller;
  auto activation = activator_.admit(std::move(req));
  if (!activation) {
    const Error& e = activation.error();
    if (e.name == "controller.throttled") return errorResponse(429, e.message, ctx.txid);
    if (e.name == "controller.duplicate_id") return errorResponse(409, e.message, ctx.txid);
    return internalError(e, ctx.txid);
  }
  activator_.start(*activation);
  json::object accepted{{"activationId", id}};
  if (!blocking) return withActivationId(jsonResponse(202, accepted), id);

  auto outcome = (*activation)->waitFor(waitMs);
  // Still running past the wait: the client polls the activation by id, so its
  // pending row (written behind) must be committed before the client has the id.
  if (!outcome) {
    activator_.flushRecords();
    return withActivationId(jsonResponse(202, accepted), id);
  }
  int status = httpStatusFor(outcome->statusCode);
  if (resultOnly)
    return withActivationId(jsonResponse(status, outcome->record.at("response").at("result")), id);
  return withActivationId(jsonResponse(status, outcome->record), id);
}

}  // namespace clemmys::controller
