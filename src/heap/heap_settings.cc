#include "heap/heap_settings.h"

#include <boost/json/serialize.hpp>

namespace clemmys::heap {
namespace {

namespace json = boost::json;

constexpr std::string_view kPolicies[] = {"eager", "lazy", "batched"};

std::optional<uint64_t> asUnsigned(const json::value& v) {
  if (v.is_uint64()) return v.as_uint64();
  if (v.is_int64() && v.as_int64() >= 0) return static_cast<uint64_t>(v.as_int64());
  return std::nullopt;
}

bool knownPolicy(std::string_view name) {
  for (auto p : kPolicies)
    if (p == name) return true;
  return false;
}

std::unexpected<Error> badAnnotation(std::string message) {
  return fail("heap.bad_annotation", std::move(message));
}

std::string quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

}  // namespace

bool isHeapAnnotation(std::string_view key) { return key.starts_with("clemmys-heap-"); }

Result<HeapSettings> heapSettingsFromAnnotations(const json::array& annotations,
                                                 std::optional<int64_t> memoryLimitMib) {
  HeapSettings s;
  for (const auto& item : annotations) {
    if (!item.is_object()) continue;
    const auto* keyV = item.as_object().if_contains("key");
    const auto* value = item.as_object().if_contains("value");
    if (keyV == nullptr || !keyV->is_string() || value == nullptr) continue;
    std::string_view key = keyV->as_string();
    if (!isHeapAnnotation(key)) continue;
    // null unsets an override: annotations merge by key on update, so this is the
    // only way back to the runtime's default.
    if (value->is_null()) {
      if (key == kHeapMibAnnotation) s.sizeMib.reset();
      else if (key == kHeapPolicyAnnotation) s.policy.reset();
      else if (key == kHeapBatchPagesAnnotation) s.batchPages.reset();
      else if (key == kHeapZeroOnFreeAnnotation) s.zeroOnFree.reset();
      else return badAnnotation("Unknown heap annotation " + quoted(key) + ".");
      continue;
    }
    if (key == kHeapMibAnnotation) {
      auto mib = asUnsigned(*value);
      if (!mib || *mib == 0 || *mib > kMaxHeapMib)
        return badAnnotation("The annotation " + quoted(key) + " must be a positive integer (MiB).");
      s.sizeMib = *mib;
    } else if (key == kHeapPolicyAnnotation) {
      if (!value->is_string() || !knownPolicy(value->as_string()))
        return badAnnotation("The annotation " + quoted(key) + " must be 'eager', 'lazy' or 'batched'.");
      s.policy = std::string(value->as_string());
    } else if (key == kHeapBatchPagesAnnotation) {
      auto n = asUnsigned(*value);
      if (!n || *n == 0 || *n > kMaxBatchPages)
        return badAnnotation("The annotation " + quoted(key) + " must be an integer between 1 and " +
                             std::to_string(kMaxBatchPages) + ".");
      s.batchPages = *n;
    } else if (key == kHeapZeroOnFreeAnnotation) {
      if (!value->is_bool()) return badAnnotation("The annotation " + quoted(key) + " must be a boolean.");
      s.zeroOnFree = value->as_bool();
    } else {
      return badAnnotation("Unknown heap annotation " + quoted(key) + "; known: " +
                           std::string(kHeapMibAnnotation) + ", " + std::string(kHeapPolicyAnnotation) +
                           ", " + std::string(kHeapBatchPagesAnnotation) + ", " +
                           std::string(kHeapZeroOnFreeAnnotation) + ".");
    }
  }
  if (s.sizeMib && memoryLimitMib && static_cast<int64_t>(*s.sizeMib) > *memoryLimitMib)
    return badAnnotation("The annotation " + quoted(kHeapMibAnnotation) + " (" + std::to_string(*s.sizeMib) +
                         " MiB) must not exceed the action's memory limit (" + std::to_string(*memoryLimitMib) +
                         " MB).");
  return s;
}

HeapSettings mergeHeapSettings(HeapSettings base, const HeapSettings& over) {
  if (over.sizeMib) base.sizeMib = over.sizeMib;
  if (over.policy) base.policy = over.policy;
  if (over.batchPages) base.batchPages = over.batchPages;
  if (over.zeroOnFree) base.zeroOnFree = over.zeroOnFree;
  return base;
}

json::object heapSettingsToJson(const HeapSettings& s) {
  json::object o;
  if (s.sizeMib) o["size_mib"] = *s.sizeMib;
  if (s.policy) o["policy"] = *s.policy;
  if (s.batchPages) o["batch_pages"] = *s.batchPages;
  if (s.zeroOnFree) o["zero_on_free"] = *s.zeroOnFree;
  return o;
}

std::string canonicalHeapJson(const HeapSettings& s) {
  return s.empty() ? std::string() : json::serialize(heapSettingsToJson(s));
}

Result<HeapSettings> heapSettingsFromJson(const json::value& value) {
  auto bad = [](const std::string& why) { return fail("heap.bad_settings", why); };
  if (!value.is_object()) return bad("heap settings must be a JSON object");
  HeapSettings s;
  for (const auto& [key, v] : value.as_object()) {
    if (key == "size_mib") {
      auto mib = asUnsigned(v);
      if (!mib || *mib == 0 || *mib > kMaxHeapMib) return bad("size_mib must be a positive integer");
      s.sizeMib = *mib;
    } else if (key == "policy") {
      if (!v.is_string() || !knownPolicy(v.as_string())) return bad("policy must be eager, lazy or batched");
      s.policy = std::string(v.as_string());
    } else if (key == "batch_pages") {
      auto n = asUnsigned(v);
      if (!n || *n == 0 || *n > kMaxBatchPages) return bad("batch_pages must be between 1 and 262144");
      s.batchPages = *n;
    } else if (key == "zero_on_free") {
      if (!v.is_bool()) return bad("zero_on_free must be a boolean");
      s.zeroOnFree = v.as_bool();
    } else {
      return bad("unknown member '" + std::string(key) + "'");
    }
  }
  return s;
}

json::array heapSettingsToAnnotations(const HeapSettings& s) {
  json::array a;
  auto add = [&](std::string_view key, json::value v) { a.push_back(json::object{{"key", key}, {"value", std::move(v)}}); };
  if (s.sizeMib) add(kHeapMibAnnotation, *s.sizeMib);
  if (s.policy) add(kHeapPolicyAnnotation, json::string(*s.policy));
  if (s.batchPages) add(kHeapBatchPagesAnnotation, *s.batchPages);
  if (s.zeroOnFree) add(kHeapZeroOnFreeAnnotation, *s.zeroOnFree);
  return a;
}

}  // namespace clemmys::heap
