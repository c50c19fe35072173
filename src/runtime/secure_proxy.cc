#include "runtime/secure_proxy.h"

#include <boost/json.hpp>

#include <algorithm>

#include "common/encoding.h"
#include "envelope/defaults.h"
#include "heap/heap_settings.h"
#include "runtime/json_depth.h"

namespace clemmys::runtime {
namespace {

namespace json = boost::json;

http::Response refused(const Error& e) { return http::Response::json(400, json::object{{"error", e.name}}); }
http::Response refused(std::string name) { return refused(Error{std::move(name), ""}); }

Result<envelope::Bytes> wireBytes(const json::value* v) {
  if (v == nullptr || !v->is_string()) return fail("envelope.not_sealed", "no sealed value");
  return envelope::fromWire(v->get_string());
}

Result<json::object> parseObject(std::string_view text, const char* error) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec, {}, carriedJsonOptions());
  if (ec || !v.is_object()) return fail(error, "not a JSON object");
  return std::move(v.get_object());
}

}  // namespace

SecureProxy::SecureProxy(SecureDeps deps) : d_(std::move(deps)) {}

http::Response SecureProxy::handle(const http::Request& request) {
  bool isInit = request.path == "/init", isRun = request.path == "/run";
  if (!isInit && !isRun) return d_.proxy.handle(request);  // 404 / 405 as in plain mode
  if (request.method != "POST") return d_.proxy.handle(request);
  return isInit ? init(request.body) : run(request.body);
}

http::Response SecureProxy::init(std::string_view body) {
  std::lock_guard lock(mu_);
  reachedProxy_ = false;
  http::Response response = initLocked(body);
  if (response.status != 200 && !reachedProxy_) endRefused(true);
  return response;
}

http::Response SecureProxy::run(std::string_view body) {
  std::lock_guard lock(mu_);
  reachedProxy_ = false;
  http::Response response = runLocked(body);
  if (!reachedProxy_) endRefused(false);
  return response;
}

void SecureProxy::endRefused(bool dropHeld) {
  d_.proxy.endActivation();
  if (d_.logs) d_.logs->finish(dropHeld);
}

void SecureProxy::refreshKeysFor(envelope::ByteView bytes) {
  auto parsed = envelope::parse(bytes);
  if (!parsed || d_.keys.has(parsed->header.keyVersion)) return;
  auto current = d_.keys.current();
  if (current && parsed->header.keyVersion < *current) return;  // old versions are never released later
  const int64_t now = d_.clock.nowMs();
  if (parsed->header.expiresMs != 0 && parsed->header.expiresMs <= static_cast<uint64_t>(now)) return;
  if (lastKeyRefetchMs_ && now - *lastKeyRefetchMs_ < kKeyRefetchIntervalMs) return;
  lastKeyRefetchMs_ = now;
  auto config = d_.kms.fetch(std::nullopt);
  if (config) (void)loadKeys(*config, d_.keys);  // the guard decides either way
}

Result<json::object> SecureProxy::openParams(const envelope::Bytes& bytes) {
  refreshKeysFor(bytes);
  auto parsed = envelope::parse(bytes);
  if (!parsed) return std::unexpected(parsed.error());
  if (parsed->header.type != envelope::Type::params) return fail("envelope.wrong_type", "expected PARAMS");
  auto body = envelope::open(*parsed, d_.keys);
  if (!body) return std::unexpected(body.error());
  if (parsed->header.target != fqn_) return fail("envelope.wrong_target", "PARAMS for another function");
  std::string_view text(reinterpret_cast<const char*>(body->data()), body->size());
  return parseObject(text, "envelope.malformed_body");
}

Result<json::object> SecureProxy::boundDefaults(const json::object& sealedValue) {
  std::optional<envelope::Bytes> bytes;
  if (const auto* p = sealedValue.if_contains("clemmys-params")) {
    auto b = wireBytes(p);
    if (!b) return std::unexpected(b.error());
    bytes = std::move(*b);
  }
  // D2, D3: exactly the defaults sealed with the code, before anything is opened.
  if (auto st = envelope::checkDefaults(defaultsBinding_, bytes ? &*bytes : nullptr); !st)
    return std::unexpected(st.error());
  if (!bytes) return json::object{};
  return openParams(*bytes);
}

http::Response SecureProxy::initLocked(std::string_view body) {
  if (guard_) return http::Response::json(403, json::object{{"error", "Cannot initialize the action more than once."}});
  auto message = parseObject(body, "runtime.bad_request");
  if (!message) return http::Response::json(400, json::object{{"error", "The /init body is not a JSON object."}});
  const auto* value = message->if_contains("value");
  if (value == nullptr || !value->is_object()) return http::Response::json(403, json::object{{"error", "Missing main/no code to execute."}});
  const auto* name = value->get_object().if_contains("name");
  if (name == nullptr || !name->is_string() || name->get_string().empty()) return refused("runtime.no_function_name");
  std::string fqn(name->get_string());

  // CODE envelope: opens, names this function, and (if the policy pins) is pinned.
  auto bytes = wireBytes(value->get_object().if_contains("code"));
  if (!bytes) return refused(bytes.error());
  refreshKeysFor(*bytes);
  auto parsed = envelope::parse(*bytes);
  if (!parsed) return refused(parsed.error());
  if (parsed->header.type != envelope::Type::code) return refused("envelope.wrong_type");
  auto plain = envelope::open(*parsed, d_.keys);
  if (!plain) return refused(plain.error());
  // OpenWhisk's invoker names the action by its last segment only; ours may send the
  // fqn. Either way the identity is the authenticated target of the CODE envelope.
  const std::string& target = parsed->header.target;
  std::string lastSegment = target.substr(target.rfind('/') + 1);
  if (fqn != target && fqn != lastSegment) return refused("envelope.wrong_target");
  fqn = target;
  // D1: the CODE names its defaults (the binding sits in the authenticated header).
  if (auto st = envelope::checkBound(parsed->header.chainId); !st) return refused(st.error());
  auto codeJson = parseObject(std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size()),
                              "envelope.malformed_body");
  if (!codeJson) return refused(codeJson.error());
  auto str = [&](const char* key) -> std::string {
    const auto* v = codeJson->if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  InitSpec spec;
  spec.kind = str("kind");
  spec.main = str("main");
  spec.code = str("code");
  if (const auto* b = codeJson->if_contains("binary"); b && b->is_bool()) spec.binary = b->get_bool();
  if (spec.kind.empty() || spec.code.empty()) return refused("envelope.malformed_body");
  // Heap settings come only from the sealed CODE (the /init's "heap" is the host's);
  // zeroing stays on unless the owner sealed it off: the host's environment must not
  // be able to let one invocation's data survive into the next (doc/heap.md).
  if (const auto* h = codeJson->if_contains("heap")) {
    auto settings = heap::heapSettingsFromJson(*h);
    if (!settings) return refused("envelope.malformed_body");
    spec.heap = std::move(*settings);
  }
  std::string heapText = heap::canonicalHeapJson(spec.heap);
  if (!spec.heap.zeroOnFree) spec.heap.zeroOnFree = true;
  envelope::Digest digest = envelope::codeDigest(spec.kind, spec.main, spec.code, heapText);
  std::string digestHex = toHex(digest);

  // Transparent configuration, fetched fresh (the policy may have changed since we
  // started): the KMS's kms.unknown_function means the policy names no configuration
  // and pins no digests for this fqn.
  FunctionConfig config;
  auto fetched = d_.kms.fetch(fqn);
  if (!fetched && fetched.error().name != "kms.unknown_function") {
    return http::Response::json(502, json::object{{"error", fetched.error().name}});
  }
  if (fetched) {
    auto fc = functionConfig(*fetched);
    if (!fc) return http::Response::json(502, json::object{{"error", fc.error().name}});
    config = std::move(*fc);
    (void)loadKeys(*fetched, d_.keys);  // a newer key version may have come with it
  }
  const auto& pinned = config.pinnedDigests;
  if (!pinned.empty() && std::find(pinned.begin(), pinned.end(), digestHex) == pinned.end()) {
    return refused("runtime.code_not_pinned");
  }
  if (auto st = d_.files ? d_.files->write(config.files)
                         : (config.files.empty() ? Status{} : fail("runtime.files_unprotected", "no directory"));
      !st) {
    // The message says why (mount refused, bad path); it holds no configured content.
    return http::Response::json(502, json::object{{"error", st.error().name}, {"message", st.error().message}});
  }
  // The untrusted /init's own "env" is ignored: only the policy configures the function.
  spec.env = std::move(config.env);
  if (d_.files && d_.files->available()) spec.env.emplace_back("CLEMMYS_FILES_DIR", d_.files->dir());
  spec.extraArgv = std::move(config.argv);

  reachedProxy_ = true;
  http::Response response = d_.proxy.init(spec);
  if (response.status != 200) {
    if (d_.logs) d_.logs->finish(true);
    // The plain message may quote the code (a syntax error shows the line): withheld.
    return http::Response::json(response.status, json::object{{"error", "runtime.init_failed"}});
  }
  fqn_ = fqn;
  defaultsBinding_ = parsed->header.chainId;
  guard_ = std::make_unique<envelope::InvokeGuard>(d_.keys, d_.clock, envelope::FunctionIdentity{fqn, digest},
                                                   d_.messageLifetimeMs);
  return response;
}

http::Response SecureProxy::runLocked(std::string_view body) {
  if (!guard_) return http::Response::json(403, json::object{{"error", "The action has not been initialized."}});
  auto message = parseObject(body, "runtime.bad_request");
  if (!message) return http::Response::json(400, json::object{{"error", "the /run body is not a JSON object"}});
  const auto* value = message->if_contains("value");
  if (value == nullptr || !value->is_object()) return refused("envelope.not_sealed");
  const auto& sealedValue = value->get_object();

  auto defaults = boundDefaults(sealedValue);
  if (!defaults) return refused(defaults.error());
  json::object params = std::move(*defaults);
  auto bytes = wireBytes(sealedValue.if_contains("clemmys"));
  if (!bytes) return refused(bytes.error());
  refreshKeysFor(*bytes);
  auto accepted = guard_->accept(*bytes);
  if (!accepted) return refused(accepted.error());

  // defaults < payload
  boost::system::error_code ec;
  json::value payload = json::parse(accepted->body.payload, ec, {}, carriedJsonOptions());
  if (ec) return refused("envelope.malformed_body");
  json::value merged;
  if (payload.is_object()) {
    json::object m = std::move(params);
    for (auto& [k, v] : payload.get_object()) m[k] = std::move(v);
    merged = std::move(m);
  } else {
    merged = std::move(payload);
  }
  json::object plainBody = std::move(*message);
  plainBody["value"] = std::move(merged);
  plainBody["activation_id"] = toHex(accepted->header.id);
  std::string plainText = json::serialize(plainBody);

  if (d_.logs) {
    d_.logs->begin(LogSealer::Context{accepted->header.id, accepted->header.expiresMs, accepted->header.keyVersion});
  }
  reachedProxy_ = true;
  http::Response response = d_.proxy.run(plainText);
  envelope::LogCounts logCounts = d_.logs ? d_.logs->finish() : envelope::LogCounts{};
  std::fill(plainText.begin(), plainText.end(), '\0');

  bool failed = response.status != 200;
  std::string resultText = std::move(response.body);
  if (!failed) {
    auto result = json::parse(resultText, ec, {}, argumentJsonOptions());
    failed = !ec && result.is_object() && result.get_object().contains("error");
  }
  auto out = envelope::sealOutput(*accepted, resultText, failed, d_.keys, d_.random, logCounts);
  std::fill(resultText.begin(), resultText.end(), '\0');
  if (!out) return http::Response::json(500, json::object{{"error", out.error().name}});
  json::object sealed{{"clemmys", envelope::toWire(*out)}};
  if (!failed) return http::Response::json(200, sealed);
  return http::Response::json(response.status, json::object{{"error", std::move(sealed)}});
}

}  // namespace clemmys::runtime
