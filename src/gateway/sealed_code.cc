#include "gateway/sealed_code.h"

#include <boost/json.hpp>

#include "envelope/chain.h"
#include "gateway/action_codec.h"

namespace clemmys::gateway {

namespace json = boost::json;

std::string codeBodyJson(const CodeBody& b) {
  json::object o{{"kind", b.kind}, {"main", b.main}, {"binary", b.binary}, {"code", b.code}};
  if (!b.heap.empty()) o["heap"] = heap::heapSettingsToJson(b.heap);
  return json::serialize(o);
}

envelope::Digest digestOf(const CodeBody& b) {
  return envelope::codeDigest(b.kind, b.main, b.code, heap::canonicalHeapJson(b.heap));
}

Result<CodeBody> openCode(const std::string& fqn, std::string_view wire, const std::string& kind,
                          const envelope::Digest& digest, const envelope::KeyRing& keys) {
  auto opened = openSealed(envelope::Type::code, fqn, wire, keys);
  if (!opened) return std::unexpected(opened.error());
  std::error_code ec;
  auto v = json::parse(opened->text, ec);
  if (ec || !v.is_object()) return fail("gateway.bad_code", "CODE is not a JSON object");
  const auto& c = v.as_object();
  auto str = [&](const char* key) -> const json::string* {
    auto* f = c.if_contains(key);
    return f != nullptr && f->is_string() ? &f->as_string() : nullptr;
  };
  auto* binary = c.if_contains("binary");
  if (!str("kind") || !str("main") || !str("code") || binary == nullptr || !binary->is_bool())
    return fail("gateway.bad_code", "CODE lacks kind/main/binary/code");
  CodeBody b{std::string(*str("kind")), std::string(*str("main")), std::string(*str("code")), binary->as_bool(), {},
             opened->header.chainId};
  if (auto* h = c.if_contains("heap")) {
    auto settings = heap::heapSettingsFromJson(*h);
    if (!settings) return fail("gateway.bad_code", "CODE heap: " + settings.error().message);
    b.heap = std::move(*settings);
  }
  if (digestOf(b) != digest || b.kind != kind)
    return fail("gateway.code_mismatch", "CODE does not match the descriptor's digest");
  return b;
}

bool requestsHeap(const json::object& body) {
  auto* a = body.if_contains("annotations");
  if (a == nullptr || !a->is_array()) return false;
  for (const auto& item : a->as_array()) {
    auto* k = item.is_object() ? item.as_object().if_contains("key") : nullptr;
    if (k != nullptr && k->is_string() && heap::isHeapAnnotation(k->as_string())) return true;
  }
  return false;
}

Result<heap::HeapSettings> requestedHeap(const json::object& body, const heap::HeapSettings& base) {
  // The base as annotations, then the body's: parsing the joined list merges by key
  // (null unsets), exactly as the controller merges the plaintext annotations.
  json::array merged = heap::heapSettingsToAnnotations(base);
  if (auto* a = body.if_contains("annotations"); a != nullptr && a->is_array())
    for (const auto& item : a->as_array()) merged.push_back(item);
  std::optional<int64_t> limit;
  if (auto* limits = body.if_contains("limits"); limits != nullptr && limits->is_object())
    if (auto* m = limits->as_object().if_contains("memory"); m != nullptr && m->is_int64()) limit = m->as_int64();
  auto settings = heap::heapSettingsFromAnnotations(merged, limit);
  if (!settings) return fail("gateway.bad_request", settings.error().message);
  return settings;
}

void showSealedHeap(json::object& doc, const heap::HeapSettings& sealed) {
  auto* a = doc.if_contains("annotations");
  if (a == nullptr || !a->is_array()) return;
  auto& list = a->as_array();
  for (auto it = list.begin(); it != list.end();) {
    auto* k = it->is_object() ? it->as_object().if_contains("key") : nullptr;
    bool heapKey = k != nullptr && k->is_string() && heap::isHeapAnnotation(k->as_string());
    it = heapKey ? list.erase(it) : it + 1;
  }
  for (auto& entry : heap::heapSettingsToAnnotations(sealed)) list.push_back(std::move(entry));
}

}  // namespace clemmys::gateway
