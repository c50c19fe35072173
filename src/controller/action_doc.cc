#include "controller/action_doc.h"

#include <unordered_map>

#include "common/encoding.h"
#include "controller/messages.h"
#include "heap/heap_settings.h"

namespace clemmys::controller {

namespace {

std::unexpected<Error> bad(const std::string& message) {
  return fail("controller.bad_request", message);
}
std::unexpected<Error> malformed(const std::string& detail) {
  return bad(std::string(msg::kMalformed) + detail);
}

struct LimitRule {
  const char* field;
  const char* label;
  const char* unit;
  int64_t min, max;
};
constexpr LimitRule kLimitRules[] = {
    {"timeout", "timeout", "ms", 100, 300000},
    {"memory", "memory", "MB", 128, 512},
    {"logs", "logs", "MB", 0, 10},
    {"concurrency", "concurrency", "", 1, 1},
};

std::optional<int64_t> asInteger(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= uint64_t(INT64_MAX)) return int64_t(v.as_uint64());
  if (v.is_double()) {
    double d = v.as_double();
    if (d == double(int64_t(d))) return int64_t(d);
  }
  return std::nullopt;
}

Result<json::object> applyLimits(const json::value* given, json::object limits) {
  if (!given) return limits;
  if (!given->is_object()) return malformed("'limits' must be an object");
  for (auto& [key, value] : given->as_object()) {
    const LimitRule* rule = nullptr;
    for (auto& r : kLimitRules)
      if (key == r.field) rule = &r;
    if (!rule) return malformed("unknown limit '" + std::string(key) + "'");
    auto n = asInteger(value);
    if (!n || *n < rule->min || *n > rule->max) {
      if (rule->min == rule->max)
        return bad("The action " + std::string(rule->label) + " limit must be " +
                   std::to_string(rule->min) + ".");
      return bad("The action " + std::string(rule->label) + " limit must be between " +
                 std::to_string(rule->min) + " and " + std::to_string(rule->max) + " " +
                 rule->unit + ".");
    }
    limits[key] = *n;
  }
  return limits;
}

// Validates a [{key, value}] list; keeps key, value, init (parameters), encryption.
Result<json::array> keyValueList(const json::value& v, const char* what, bool allowInit) {
  if (!v.is_array()) return malformed(std::string("'") + what + "' must be an array of {key, value}");
  json::array out;
  for (auto& item : v.as_array()) {
    if (!item.is_object()) return malformed(std::string("'") + what + "' entries must be objects");
    auto& o = item.as_object();
    auto* key = o.if_contains("key");
    auto* value = o.if_contains("value");
    if (!key || !key->is_string() || key->as_string().empty() || !value)
      return malformed(std::string("'") + what + "' entries need a string 'key' and a 'value'");
    json::object kept{{"key", *key}, {"value", *value}};
    if (auto* init = o.if_contains("init"); init && allowInit) {
      if (!init->is_bool()) return malformed("'init' must be a boolean");
      if (init->as_bool()) kept["init"] = true;
    }
    if (auto* enc = o.if_contains("encryption"); enc && allowInit) kept["encryption"] = *enc;
    out.push_back(std::move(kept));
  }
  return out;
}

void setAnnotation(json::array& list, std::string_view key, json::value value) {
  for (auto& a : list) {
    auto& o = a.as_object();
    if (o.at("key").as_string() == key) {
      o["value"] = std::move(value);
      return;
    }
  }
  list.push_back(json::object{{"key", key}, {"value", std::move(value)}});
}

// Merges `updates` into `list` by key (a later entry wins, new keys appended in
// order) in linear time: one index of `list`'s keys instead of a scan per update
// (a 1 MiB PUT holds ~40k annotations).
void mergeAnnotations(json::array& list, const json::array& updates) {
  std::unordered_map<std::string, size_t> at;
  at.reserve(list.size() + updates.size());
  for (size_t i = 0; i < list.size(); ++i) at.emplace(std::string(list[i].as_object().at("key").as_string()), i);
  for (const auto& item : updates) {
    const auto& o = item.as_object();
    std::string key(o.at("key").as_string());
    auto [it, added] = at.emplace(key, list.size());
    if (added) {
      list.push_back(json::object{{"key", key}, {"value", o.at("value")}});
    } else {
      list[it->second].as_object()["value"] = o.at("value");
    }
  }
}

bool hasAnnotation(const json::array& list, std::string_view key) {
  for (auto& a : list)
    if (a.as_object().at("key").as_string() == key) return true;
  return false;
}

Result<json::object> validateExec(const json::value& v, const QualifiedName& name) {
  if (!v.is_object()) return malformed("'exec' must be an object");
  auto& e = v.as_object();
  auto* kindV = e.if_contains("kind");
  if (!kindV || !kindV->is_string()) return malformed("'exec.kind' must be a string");
  std::string kind = canonicalKind(kindV->as_string());
  if (kind.empty())
    return bad("The specified runtime '" + std::string(kindV->as_string()) +
               "' is not supported by this platform. Valid values are: 'blackbox', 'cpp', "
               "'nodejs:20', 'python:3', 'sequence'.");
  json::object out{{"kind", kind}};
  if (kind == "sequence") {
    auto* comps = e.if_contains("components");
    if (!comps || !comps->is_array() || comps->as_array().empty())
      return bad(msg::kSequenceNoComponent);
    json::array resolved;
    for (auto& c : comps->as_array()) {
      if (!c.is_string()) return malformed(msg::kMalformedFqn);
      auto q = parseFqn(c.as_string(), name.ns);
      if (!q) return malformed(msg::kMalformedFqn);
      resolved.push_back(json::string(q->fqn()));
    }
    out["components"] = std::move(resolved);
    return out;
  }
  auto* code = e.if_contains("code");
  if (code && !code->is_string()) return malformed("'exec.code' must be a string");
  bool hasCode = code && !code->as_string().empty();
  if (kind == "blackbox") {
    auto* image = e.if_contains("image");
    if (!image || !image->is_string() || image->as_string().empty())
      return malformed("'exec.image' is required for kind 'blackbox'");
    out["image"] = *image;
  } else if (!hasCode) {
    return malformed("'exec.code' must be a non-empty string for kind '" + kind + "'");
  }
  // A cpp action is the base64 of a shared library: code that does not decode would
  // fail at every invoke, so it is refused here. Behind the secure gateway the code
  // is a sealed CODE envelope in base64url, which the controller cannot open.
  if (kind == "cpp" && hasCode && !base64Decode(code->as_string()) && !base64UrlDecode(code->as_string()))
    return malformed(msg::kCppCodeNotBase64);
  if (hasCode) out["code"] = *code;
  if (auto* main = e.if_contains("main")) {
    if (!main->is_string()) return malformed("'exec.main' must be a string");
    if (!main->as_string().empty()) out["main"] = *main;
  }
  out["binary"] = hasCode && looksLikeBase64(code->as_string());
  return out;
}

std::string bumpPatch(std::string_view version) {
  size_t dot = version.rfind('.');
  if (dot == std::string_view::npos) return "0.0.1";
  long patch = std::strtol(std::string(version.substr(dot + 1)).c_str(), nullptr, 10);
  return std::string(version.substr(0, dot + 1)) + std::to_string(patch + 1);
}

std::string stringify(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

}  // namespace

std::string canonicalKind(std::string_view kind) {
  if (kind == "python:3" || kind == "python:default") return "python:3";
  if (kind == "nodejs:20" || kind == "nodejs:default") return "nodejs:20";
  if (kind == "blackbox" || kind == "cpp" || kind == "sequence") return std::string(kind);
  return {};
}

Result<json::object> buildActionDocument(const json::value& body, const QualifiedName& name,
                                         const json::object* existing, int64_t nowMs) {
  if (!body.is_object()) return malformed("expected a JSON object");
  auto& b = body.as_object();
  json::object doc;
  std::string pkg = name.pkg();
  doc["namespace"] = pkg.empty() ? name.ns : name.ns + "/" + pkg;
  doc["name"] = name.simpleName();
  doc["version"] = existing ? bumpPatch(existing->at("version").as_string()) : "0.0.1";

  bool publish = existing ? existing->at("publish").as_bool() : false;
  if (auto* p = b.if_contains("publish")) {
    if (!p->is_bool()) return malformed("'publish' must be a boolean");
    publish = p->as_bool();
  }
  doc["publish"] = publish;

  json::object exec;
  if (auto* e = b.if_contains("exec")) {
    auto v = validateExec(*e, name);
    if (!v) return std::unexpected(v.error());
    exec = std::move(*v);
  } else if (existing) {
    exec = existing->at("exec").as_object();
  } else {
    return malformed("exec undefined");
  }
  bool sequence = exec.at("kind").as_string() == "sequence";

  json::array params = existing ? existing->at("parameters").as_array() : json::array();
  if (auto* p = b.if_contains("parameters")) {
    auto v = keyValueList(*p, "parameters", true);
    if (!v) return std::unexpected(v.error());
    params = std::move(*v);
  }
  if (sequence) params.clear();  // a sequence's own parameters are dropped, as OpenWhisk

  json::array annotations = existing ? existing->at("annotations").as_array() : json::array();
  if (auto* a = b.if_contains("annotations")) {
    auto v = keyValueList(*a, "annotations", false);
    if (!v) return std::unexpected(v.error());
    mergeAnnotations(annotations, *v);
  }
  setAnnotation(annotations, "exec", exec.at("kind"));
  if (!existing && !hasAnnotation(annotations, "provide-api-key"))
    setAnnotation(annotations, "provide-api-key", false);

  json::object limits = existing ? existing->at("limits").as_object()
                                 : json::object{{"timeout", 60000}, {"memory", 256},
                                                {"logs", 10}, {"concurrency", 1}};
  auto lim = applyLimits(b.if_contains("limits"), std::move(limits));
  if (!lim) return std::unexpected(lim.error());
  // Checked on the merged result: an update may change the annotation or the limit.
  auto heap = heap::heapSettingsFromAnnotations(annotations, lim->at("memory").to_number<int64_t>());
  if (!heap) return bad(heap.error().message);

  doc["exec"] = std::move(exec);
  doc["annotations"] = std::move(annotations);
  doc["parameters"] = std::move(params);
  doc["limits"] = std::move(*lim);
  doc["updated"] = nowMs;
  return doc;
}

Result<std::shared_ptr<const ActionEntity>> entityFromDocument(const QualifiedName& name,
                                                               json::object doc,
                                                               std::string revision) {
  try {
    auto e = std::make_shared<ActionEntity>();
    e->name = name;
    e->revision = std::move(revision);
    auto& exec = doc.at("exec").as_object();
    e->kind = std::string(exec.at("kind").as_string());
    auto& limits = doc.at("limits").as_object();
    invoker::ActionCode& c = e->code;
    c.ns = name.ns;
    c.fqn = name.fqn();
    c.kind = e->kind;
    if (auto* m = exec.if_contains("main")) c.main = std::string(m->as_string());
    if (c.main.empty()) c.main = "main";
    if (auto* code = exec.if_contains("code")) c.code = std::string(code->as_string());
    if (auto* bin = exec.if_contains("binary")) c.binary = bin->as_bool();
    c.version = std::string(doc.at("version").as_string());
    c.revision = e->revision;
    c.limits.timeoutMs = int(limits.at("timeout").to_number<int64_t>());
    c.limits.memoryMb = int(limits.at("memory").to_number<int64_t>());
    c.limits.logsMb = int(limits.at("logs").to_number<int64_t>());
    c.limits.concurrency = int(limits.at("concurrency").to_number<int64_t>());
    for (auto& p : doc.at("parameters").as_array()) {
      auto& o = p.as_object();
      std::string key(o.at("key").as_string());
      auto* init = o.if_contains("init");
      if (init && init->is_bool() && init->as_bool())
        c.initEnv[key] = stringify(o.at("value"));
      else
        e->defaultParams[key] = o.at("value");
    }
    auto heap = heap::heapSettingsFromAnnotations(doc.at("annotations").as_array(), std::nullopt);
    if (!heap) return fail("controller.corrupt_action", name.fqn() + ": " + heap.error().message);
    c.heap = heap::heapSettingsToJson(*heap);
    for (auto& a : doc.at("annotations").as_array()) {
      auto& o = a.as_object();
      if (o.at("key").as_string() != "provide-api-key") continue;
      auto& v = o.at("value");
      e->provideApiKey = v.is_bool() ? v.as_bool() : !(v.is_null() || (v.is_string() && v.as_string().empty()));
    }
    if (e->isSequence())
      for (auto& comp : exec.at("components").as_array()) {
        auto q = parseFqn(comp.as_string(), name.ns);
        if (!q) return fail("controller.corrupt_action", "bad component in " + name.fqn());
        e->components.push_back(std::move(*q));
      }
    e->doc = std::move(doc);
    return std::shared_ptr<const ActionEntity>(std::move(e));
  } catch (const std::exception& ex) {
    // A stored document that is not in our format "cannot happen" unless the database
    // was edited by hand; report it instead of crashing the controller.
    return fail("controller.corrupt_action", name.fqn() + ": " + ex.what());
  }
}

json::object actionSummary(const json::object& doc) {
  json::object s;
  for (const char* k : {"namespace", "name", "version", "publish", "annotations", "limits", "updated"})
    if (auto* v = doc.if_contains(k)) s[k] = *v;
  json::object exec{{"binary", false}};
  if (auto* b = doc.at("exec").as_object().if_contains("binary")) exec["binary"] = *b;
  s["exec"] = std::move(exec);
  return s;
}

json::object withoutCode(const json::object& doc) {
  json::object out = doc;
  out["exec"].as_object().erase("code");
  return out;
}

}  // namespace clemmys::controller
