#include "gateway/action_codec.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "envelope/chain.h"
#include "gateway/sealed_code.h"
#include "gateway/sealed_defaults.h"

namespace clemmys::gateway {

namespace json = boost::json;
using envelope::Type;

namespace {

std::unexpected<Error> badRequest(const std::string& message) { return fail("gateway.bad_request", message); }
std::unexpected<Error> malformed(const std::string& detail) { return badRequest(kMalformed + detail); }

constexpr const char* kMalformedFqn =
    "The fully qualified name of the entity must contain at least the namespace and the name of the entity.";

// The controller's kinds, with the ":default" aliases it stores canonically.
std::string canonicalKind(std::string_view kind) {
  if (kind == "python:3" || kind == "python:default") return "python:3";
  if (kind == "nodejs:20" || kind == "nodejs:default") return "nodejs:20";
  if (kind == "cpp" || kind == "blackbox" || kind == "sequence") return std::string(kind);
  return "";
}

struct Params {
  json::object values;
  std::vector<std::string> initNames;
};

Result<Params> paramsFrom(const json::value& v) {
  if (!v.is_array()) return malformed("'parameters' must be an array of {key, value}");
  Params p;
  for (const auto& item : v.as_array()) {
    if (!item.is_object()) return malformed("'parameters' entries must be objects");
    const auto& o = item.as_object();
    auto* key = o.if_contains("key");
    auto* value = o.if_contains("value");
    if (key == nullptr || !key->is_string() || key->as_string().empty() || value == nullptr)
      return malformed("'parameters' entries need a string 'key' and a 'value'");
    if (key->as_string() == kParamsKey) return malformed(std::string("'") + kParamsKey + "' is reserved");
    if (auto* init = o.if_contains("init")) {
      if (!init->is_bool()) return malformed("'init' must be a boolean");
      if (init->as_bool()) p.initNames.emplace_back(key->as_string());
    }
    p.values[key->as_string()] = *value;
  }
  return p;
}

json::array stringArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::string descriptorJson(const Descriptor& d) {
  json::object o{{"fqn", d.fqn}, {"kind", d.kind}};
  if (d.kind == "sequence") {
    o["components"] = stringArray(d.components);
  } else {
    o["code_digest"] = toHex(std::span<const uint8_t>(d.codeDigest));
  }
  if (!d.initParams.empty()) o["init_params"] = stringArray(d.initParams);
  return json::serialize(o);
}

// Annotations as given, without any client-supplied clemmys-descriptor, plus ours.
Result<json::array> annotationsWith(const json::object& body, const std::string& descriptorWire) {
  json::array out;
  if (auto* given = body.if_contains("annotations")) {
    if (!given->is_array()) return malformed("'annotations' must be an array of {key, value}");
    for (const auto& a : given->as_array()) {
      if (a.is_object()) {
        auto* k = a.as_object().if_contains("key");
        if (k != nullptr && k->is_string() && k->as_string() == kDescriptorAnnotation) continue;
      }
      out.push_back(a);
    }
  }
  out.push_back(json::object{{"key", kDescriptorAnnotation}, {"value", descriptorWire}});
  return out;
}

json::array paramsEntry(const std::string& wire) {
  return json::array{json::object{{"key", kParamsKey}, {"value", wire}}};
}

const json::string* str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

Result<Descriptor> parseDescriptor(std::string_view text) {
  std::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail("gateway.bad_descriptor", "not a JSON object");
  const auto& o = v.as_object();
  Descriptor d;
  auto* fqn = str(o, "fqn");
  auto* kind = str(o, "kind");
  if (fqn == nullptr || kind == nullptr) return fail("gateway.bad_descriptor", "fqn and kind required");
  d.fqn = std::string(*fqn);
  d.kind = std::string(*kind);
  if (d.kind == "sequence") {
    auto* comps = o.if_contains("components");
    if (comps == nullptr || !comps->is_array()) return fail("gateway.bad_descriptor", "components");
    for (const auto& c : comps->as_array()) {
      if (!c.is_string()) return fail("gateway.bad_descriptor", "components");
      d.components.emplace_back(c.as_string());
    }
  } else {
    auto* digest = str(o, "code_digest");
    auto raw = digest != nullptr ? fromHex(*digest) : std::nullopt;
    if (!raw || raw->size() != d.codeDigest.size()) return fail("gateway.bad_descriptor", "code_digest");
    std::copy(raw->begin(), raw->end(), d.codeDigest.begin());
  }
  if (auto* init = o.if_contains("init_params"); init != nullptr && init->is_array()) {
    for (const auto& n : init->as_array())
      if (n.is_string()) d.initParams.emplace_back(n.as_string());
  }
  return d;
}

}  // namespace

std::string fqnOf(std::string_view ns, std::string_view name) {
  return "/" + std::string(ns) + "/" + std::string(name);
}

Result<std::string> resolveComponent(std::string_view component, std::string_view ns) {
  if (component.size() < 2 || component.front() != '/') return malformed(kMalformedFqn);
  std::string_view rest = component.substr(1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) return malformed(kMalformedFqn);
  std::string_view first = rest.substr(0, slash);
  std::string_view name = rest.substr(slash + 1);
  if (name.find("//") != std::string_view::npos || name.back() == '/') return malformed(kMalformedFqn);
  return fqnOf(first == "_" ? ns : first, name);
}

Result<std::string> sealObject(Type type, const std::string& fqn, std::string_view plaintext, const SealContext& ctx,
                               const envelope::Digest& chainId) {
  envelope::Header h;
  h.type = type;
  h.chainId = chainId;
  h.keyVersion = ctx.keyVersion;
  ctx.random.fill(h.id.data(), h.id.size());
  h.target = fqn;
  auto sealed = envelope::seal(std::move(h), crypto::asBytes(plaintext), ctx.keys, ctx.random);
  if (!sealed) return std::unexpected(sealed.error());
  return envelope::toWire(*sealed);
}

Result<std::string> openObject(Type type, std::string_view fqn, std::string_view wire, const envelope::KeyRing& keys) {
  auto opened = openSealed(type, fqn, wire, keys);
  if (!opened) return std::unexpected(opened.error());
  return std::move(opened->text);
}

Result<OpenedObject> openSealed(Type type, std::string_view fqn, std::string_view wire, const envelope::KeyRing& keys) {
  auto bytes = envelope::fromWire(wire);
  if (!bytes) return std::unexpected(bytes.error());
  auto parsed = envelope::parse(*bytes);
  if (!parsed) return std::unexpected(parsed.error());
  if (parsed->header.type != type)
    return fail("gateway.wrong_object", std::string("expected ") + envelope::typeName(type) + ", got " +
                                            envelope::typeName(parsed->header.type));
  auto body = envelope::open(*parsed, keys);
  if (!body) return std::unexpected(body.error());
  // After opening: a valid envelope sealed for another action is a substitution.
  if (parsed->header.target != fqn)
    return fail("gateway.wrong_object", std::string(envelope::typeName(type)) + " sealed for " +
                                            parsed->header.target + ", not " + std::string(fqn));
  return OpenedObject{parsed->header, std::string(body->begin(), body->end())};
}

Result<json::object> sealActionBody(const json::object& body, const std::string& fqn, const std::string& ns,
                                    const SealContext& ctx) {
  const auto& execV = body.at("exec");
  if (!execV.is_object()) return malformed("'exec' must be an object");
  const auto& exec = execV.as_object();
  auto* kindV = str(exec, "kind");
  if (kindV == nullptr) return malformed("'exec.kind' must be a string");
  std::string kind = canonicalKind(*kindV);
  if (kind.empty())
    return badRequest("The specified runtime '" + std::string(*kindV) +
                      "' is not supported by this platform. Valid values are: 'blackbox', 'cpp', "
                      "'nodejs:20', 'python:3', 'sequence'.");
  json::object out = body;
  Descriptor d;
  d.fqn = fqn;
  d.kind = kind;
  if (kind == "sequence") {
    auto* comps = exec.if_contains("components");
    if (comps == nullptr || !comps->is_array() || comps->as_array().empty())
      return badRequest("No component specified for the sequence.");
    for (const auto& c : comps->as_array()) {
      if (!c.is_string()) return malformed(kMalformedFqn);
      auto resolved = resolveComponent(c.as_string(), ns);
      if (!resolved) return std::unexpected(resolved.error());
      d.components.push_back(*resolved);
    }
    out.erase("parameters");  // a sequence's own parameters are dropped, as the controller does
  } else {
    auto* codeV = exec.if_contains("code");
    if (codeV != nullptr && !codeV->is_string()) return malformed("'exec.code' must be a string");
    std::string code = codeV != nullptr ? std::string(codeV->as_string()) : "";
    if (code.empty() && kind != "blackbox")
      return malformed("'exec.code' must be a non-empty string for kind '" + kind + "'");
    // The controller only sees the sealed code, so the gateway refuses a cpp action
    // that is not the base64 of a library (it would fail at every invoke), as the
    // plain controller does (doc/api.md).
    if (kind == "cpp" && !base64Decode(code) && !base64UrlDecode(code))
      return malformed("'exec.code' for kind 'cpp' must be the base64 of a shared library");
    auto* mainV = exec.if_contains("main");
    if (mainV != nullptr && !mainV->is_string()) return malformed("'exec.main' must be a string");
    std::string main = mainV != nullptr && !mainV->as_string().empty() ? std::string(mainV->as_string()) : "main";
    // A PUT with exec seals the heap settings this body gives, nothing kept from
    // before: the stored annotations come from the untrusted controller.
    auto heap = requestedHeap(body);
    if (!heap) return std::unexpected(heap.error());
    CodeBody codeBody{kind, main, code, !code.empty() && looksLikeBase64(code), std::move(*heap)};
    d.codeDigest = digestOf(codeBody);
    Params p;
    if (auto* given = body.if_contains("parameters")) {
      auto parsed = paramsFrom(*given);
      if (!parsed) return std::unexpected(parsed.error());
      p = std::move(*parsed);
    }
    d.initParams = p.initNames;
    // PARAMS first: the CODE's header binds this very sealing.
    auto paramsWire = sealObject(Type::params, fqn, json::serialize(p.values), ctx);
    if (!paramsWire) return std::unexpected(paramsWire.error());
    out["parameters"] = paramsEntry(*paramsWire);
    auto codeWire = sealObject(Type::code, fqn, codeBodyJson(codeBody), ctx, bindingOf(*paramsWire));
    if (!codeWire) return std::unexpected(codeWire.error());
    json::object sealedExec = exec;
    sealedExec["kind"] = kind;
    sealedExec["code"] = *codeWire;
    sealedExec["binary"] = false;
    sealedExec["main"] = main;
    out["exec"] = std::move(sealedExec);
  }
  auto descWire = sealObject(Type::descriptor, fqn, descriptorJson(d), ctx);
  if (!descWire) return std::unexpected(descWire.error());
  auto annotations = annotationsWith(body, *descWire);
  if (!annotations) return std::unexpected(annotations.error());
  out["annotations"] = std::move(*annotations);
  return out;
}

std::string documentFqn(const json::object& doc) {
  auto* ns = str(doc, "namespace");
  auto* name = str(doc, "name");
  return fqnOf(ns != nullptr ? std::string_view(*ns) : "", name != nullptr ? std::string_view(*name) : "");
}

Result<Descriptor> descriptorOf(const json::object& doc, const envelope::KeyRing& keys) {
  std::string fqn = documentFqn(doc);
  auto* annotations = doc.if_contains("annotations");
  if (annotations != nullptr && annotations->is_array()) {
    for (const auto& a : annotations->as_array()) {
      if (!a.is_object()) continue;
      auto* k = str(a.as_object(), "key");
      auto* v = str(a.as_object(), "value");
      if (k == nullptr || *k != kDescriptorAnnotation || v == nullptr) continue;
      auto text = openObject(Type::descriptor, fqn, *v, keys);
      if (!text) return std::unexpected(text.error());
      auto d = parseDescriptor(*text);
      if (!d) return std::unexpected(d.error());
      if (d->fqn != fqn) return fail("gateway.wrong_object", "descriptor names " + d->fqn + ", not " + fqn);
      return d;
    }
  }
  return fail("gateway.not_sealed", fqn + " was not deployed through the gateway");
}

Result<json::object> sealUpdateBody(const json::object& body, const json::object& stored, const SealContext& ctx) {
  auto d = descriptorOf(stored, ctx.keys);
  if (!d) return std::unexpected(d.error());
  json::object out = body;
  auto* given = body.if_contains("parameters");
  bool heapChange = requestsHeap(body);
  if (d->kind == "sequence") {
    out.erase("parameters");
  } else if (given != nullptr || heapChange) {
    // The stored CODE is re-sealed either way: it must bind the defaults in effect.
    auto* execV = stored.if_contains("exec");
    auto* wire = execV != nullptr && execV->is_object() ? execV->as_object().if_contains("code") : nullptr;
    if (wire == nullptr || !wire->is_string()) return fail("gateway.bad_code", "stored action has no CODE");
    auto code = openCode(d->fqn, wire->as_string(), d->kind, d->codeDigest, ctx.keys);
    if (!code) return std::unexpected(code.error());
    std::string paramsWire;
    if (given != nullptr) {
      auto p = paramsFrom(*given);
      if (!p) return std::unexpected(p.error());
      d->initParams = p->initNames;
      auto sealed = sealObject(Type::params, d->fqn, json::serialize(p->values), ctx);
      if (!sealed) return std::unexpected(sealed.error());
      paramsWire = std::move(*sealed);
      out["parameters"] = paramsEntry(paramsWire);
    } else {
      auto kept = storedParamsWire(stored);
      if (!kept) return std::unexpected(kept.error());
      if (auto st = checkStoredDefaults(code->defaultsBinding, *kept); !st) return std::unexpected(st.error());
      paramsWire = std::move(*kept);
    }
    if (heapChange) {
      auto heap = requestedHeap(body, code->heap);
      if (!heap) return std::unexpected(heap.error());
      code->heap = std::move(*heap);
      d->codeDigest = digestOf(*code);
    }
    auto codeWire = sealObject(Type::code, d->fqn, codeBodyJson(*code), ctx, bindingOf(paramsWire));
    if (!codeWire) return std::unexpected(codeWire.error());
    out["exec"] = json::object{{"kind", d->kind}, {"code", *codeWire}, {"binary", false}, {"main", code->main}};
  }
  auto descWire = sealObject(Type::descriptor, d->fqn, descriptorJson(*d), ctx);
  if (!descWire) return std::unexpected(descWire.error());
  auto annotations = annotationsWith(body, *descWire);
  if (!annotations) return std::unexpected(annotations.error());
  out["annotations"] = std::move(*annotations);
  return out;
}

Result<json::object> openActionDocument(const json::object& doc, const envelope::KeyRing& keys) {
  auto d = descriptorOf(doc, keys);
  if (!d) return std::unexpected(d.error());
  json::object out = doc;
  stripSummary(out);
  if (auto* execV = out.if_contains("exec"); execV != nullptr && execV->is_object() && d->kind != "sequence") {
    auto& exec = execV->as_object();
    if (auto* wire = str(exec, "code")) {
      auto code = openCode(d->fqn, *wire, d->kind, d->codeDigest, keys);
      if (!code) return std::unexpected(code.error());
      // The owner reads the defaults the runtimes will accept, or a named refusal.
      auto params = storedParamsWire(doc);
      if (!params) return std::unexpected(params.error());
      if (auto st = checkStoredDefaults(code->defaultsBinding, *params); !st) return std::unexpected(st.error());
      exec["kind"] = code->kind;
      exec["main"] = code->main;
      exec["binary"] = code->binary;
      exec["code"] = code->code;
      showSealedHeap(out, code->heap);
    }
  }
  json::array params;
  if (auto* p = doc.if_contains("parameters"); p != nullptr && p->is_array()) {
    for (const auto& item : p->as_array()) {
      if (!item.is_object()) continue;
      auto* k = str(item.as_object(), "key");
      auto* v = str(item.as_object(), "value");
      // Anything but our sealed defaults would be plaintext the controller made up.
      if (k == nullptr || *k != kParamsKey || v == nullptr)
        return fail("gateway.not_sealed", "unsealed parameter in stored action");
      auto text = openObject(Type::params, d->fqn, *v, keys);
      if (!text) return std::unexpected(text.error());
      std::error_code ec;
      auto values = json::parse(*text, ec);
      if (ec || !values.is_object()) return fail("gateway.bad_params", "PARAMS is not a JSON object");
      for (const auto& [key, value] : values.as_object()) {
        json::object entry{{"key", key}, {"value", value}};
        for (const auto& n : d->initParams)
          if (n == key) entry["init"] = true;
        params.push_back(std::move(entry));
      }
    }
  }
  out["parameters"] = std::move(params);
  return out;
}

void stripSummary(json::object& summary) {
  auto* annotations = summary.if_contains("annotations");
  if (annotations == nullptr || !annotations->is_array()) return;
  auto& list = annotations->as_array();
  for (auto it = list.begin(); it != list.end();) {
    bool ours = it->is_object() && it->as_object().if_contains("key") != nullptr &&
                it->as_object().at("key").is_string() && it->as_object().at("key").as_string() == kDescriptorAnnotation;
    it = ours ? list.erase(it) : it + 1;
  }
}

}  // namespace clemmys::gateway
