#include "controller/api.h"

#include "common/log.h"
#include "controller/messages.h"

namespace clemmys::controller {

namespace {

Api::Segments splitPath(std::string_view path) {
  Api::Segments out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void addCors(http::Response& r) { r.set("Access-Control-Allow-Origin", "*"); }

}  // namespace

http::Response internalError(const Error& e, std::string_view txid) {
  log::error("controller [" + std::string(txid) + "]: " + e.str());
  return errorResponse(500, msg::kInternal, txid);
}

bool parsePaging(const http::Request& r, const std::string& collection, int& limit, int& skip,
                 std::string& error) {
  limit = 30;
  skip = 0;
  if (auto it = r.query.find("limit"); it != r.query.end()) {
    auto v = parseInteger(it->second);
    if (!v) return error = msg::notInteger(collection, it->second), false;
    if (*v < 0 || *v > 200) return error = msg::limitOutOfRange(collection, *v, 200), false;
    // OpenWhisk treats limit=0 as "the maximum".
    limit = *v == 0 ? 200 : int(*v);
  }
  if (auto it = r.query.find("skip"); it != r.query.end()) {
    auto v = parseInteger(it->second);
    if (!v) return error = msg::notInteger(collection, it->second), false;
    if (*v < 0) return error = msg::skipOutOfRange(collection, *v), false;
    skip = int(std::min<long long>(*v, INT32_MAX));
  }
  return true;
}

http::Response Api::info(bool root) const {
  if (!root)
    return jsonResponse(200, json::object{{"description", "Clemmys OpenWhisk-compatible API"},
                                          {"api_version", "1.0.0"},
                                          {"api_version_path", "v1"},
                                          {"build", "clemmys"},
                                          {"buildno", "0"}});
  json::object limits{{"concurrent_actions", options_.maxConcurrentPerNamespace},
                      {"sequence_length", kMaxSequenceActions},
                      {"min_action_duration", 100},
                      {"max_action_duration", 300000},
                      {"min_action_memory", 128LL * 1024 * 1024},
                      {"max_action_memory", 512LL * 1024 * 1024},
                      {"min_action_logsize", 0},
                      {"max_action_logsize", 10LL * 1024 * 1024}};
  json::object runtimes{
      {"nodejs", json::array{json::object{{"kind", "nodejs:20"}, {"default", true}}}},
      {"python", json::array{json::object{{"kind", "python:3"}, {"default", true}}}},
      {"cpp", json::array{json::object{{"kind", "cpp"}, {"default", true}}}},
      {"blackboxes", json::array{json::object{{"kind", "blackbox"}}}}};
  json::object body{{"description", "Clemmys: confidential FaaS speaking OpenWhisk's API"},
                    {"support", json::object{{"github", "clemmys"}}},
                    {"api_paths", json::array{"/api/v1"}},
                    {"limits", std::move(limits)},
                    {"runtimes", std::move(runtimes)}};
  if (!options_.apiHost.empty()) body["api_host"] = options_.apiHost;
  return jsonResponse(200, body);
}

http::Response Api::handle(http::Request& r) {
  Ctx ctx;
  ctx.txid = random_.hex(16);
  http::Response resp;
  if (r.method == "OPTIONS") {
    resp.status = 200;
    resp.set("Access-Control-Allow-Methods", "GET, DELETE, POST, PUT, HEAD");
    resp.set("Access-Control-Allow-Headers",
             "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent");
  } else {
    Segments segs = splitPath(r.path);
    try {
      resp = route(r, ctx, segs);
    } catch (const std::exception& e) {
      // A bug, not bad input (input errors are values): answer 500 and keep serving.
      resp = internalError(Error{"controller.exception", e.what()}, ctx.txid);
    }
  }
  addCors(resp);
  return resp;
}

http::Response Api::route(http::Request& r, Ctx& ctx, const Segments& segs) {
  bool get = r.method == "GET" || r.method == "HEAD";
  if (segs.empty() && get) return info(true);
  if (segs.size() == 2 && segs[0] == "api" && segs[1] == "v1" && get) return info(false);
  if (segs.size() < 3 || segs[0] != "api" || segs[1] != "v1" || segs[2] != "namespaces")
    return errorResponse(404, msg::kNotFound, ctx.txid);

  ctx.subject = auth_.check(r.header("Authorization"));
  if (!ctx.subject) {
    http::Response resp = errorResponse(401, msg::kAuthInvalid, ctx.txid);
    resp.set("WWW-Authenticate", "Basic realm=\"OpenWhisk secure realm\"");
    return resp;
  }
  if (segs.size() == 3) {
    if (!get) return errorResponse(405, msg::kMethodNotAllowed, ctx.txid);
    return jsonResponse(200, json::array{json::string(ctx.subject->ns)});
  }
  std::string_view ns = segs[3];
  if (ns != "_" && ns != ctx.subject->ns)
    return errorResponse(403, msg::notAuthorized(std::string(ns)), ctx.txid);
  if (segs.size() == 4) return errorResponse(404, msg::kNotFound, ctx.txid);
  Segments rest(segs.begin() + 5, segs.end());
  if (segs[4] == "actions") return actions(r, ctx, rest);
  if (segs[4] == "activations") return activations(r, ctx, rest);
  return errorResponse(404, msg::kNotFound, ctx.txid);
}

}  // namespace clemmys::controller
