// Per-action heap settings (doc/heap.md, "Per-action settings"): the annotations
// clemmys-heap-mib, clemmys-heap-policy, clemmys-heap-batch-pages and
// clemmys-heap-zero-on-free, validated once where an action is created or updated
// (controller, gateway), and carried to the runtime as a JSON object
//   {"size_mib": N, "policy": "eager"|"lazy"|"batched", "batch_pages": N, "zero_on_free": b}
// (every member optional) — in /init's `value.heap` (plain mode) or in the sealed
// CODE body's `heap` (secure mode). Unset members fall back to the runtime's defaults.
// This file only parses and prints; it does not know the heap itself, so trusted and
// untrusted modules can share it without linking the allocator.
// Pure functions; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace clemmys::heap {

inline constexpr std::string_view kHeapMibAnnotation = "clemmys-heap-mib";
inline constexpr std::string_view kHeapPolicyAnnotation = "clemmys-heap-policy";
inline constexpr std::string_view kHeapBatchPagesAnnotation = "clemmys-heap-batch-pages";
inline constexpr std::string_view kHeapZeroOnFreeAnnotation = "clemmys-heap-zero-on-free";

// Upper bound of batch_pages: one fault should not commit more than 1 GiB of 4 KiB
// pages; anything larger is a typo, not a tuning choice.
inline constexpr uint64_t kMaxBatchPages = uint64_t{1} << 18;
// Upper bound of size_mib where no memory limit applies (the runtime's side):
// 1 TiB, far above any limit, low enough that MiB -> bytes cannot overflow.
inline constexpr uint64_t kMaxHeapMib = uint64_t{1} << 20;

struct HeapSettings {
  std::optional<uint64_t> sizeMib;
  std::optional<std::string> policy;  // "eager" | "lazy" | "batched"
  std::optional<uint64_t> batchPages;
  std::optional<bool> zeroOnFree;

  bool empty() const { return !sizeMib && !policy && !batchPages && !zeroOnFree; }
  bool operator==(const HeapSettings&) const = default;
};

// Reads the clemmys-heap-* entries of an OpenWhisk annotation list
// ([{"key","value"}], other keys ignored). `memoryLimitMib` bounds the heap size (the
// action's limits.memory); nullopt: only kMaxHeapMib. Error "heap.bad_annotation" with
// a message meant for the client's 400.
Result<HeapSettings> heapSettingsFromAnnotations(const boost::json::array& annotations,
                                                 std::optional<int64_t> memoryLimitMib);

// Returns `base` with every member `over` sets replaced (annotations merged by key).
HeapSettings mergeHeapSettings(HeapSettings base, const HeapSettings& over);

// The wire object, members in the fixed order above: serialising it gives one text per
// settings value (the CODE digest covers that text, doc/formats/envelope.md).
boost::json::object heapSettingsToJson(const HeapSettings& settings);
std::string canonicalHeapJson(const HeapSettings& settings);  // "" when empty

// Strict inverse of heapSettingsToJson: unknown members and wrong types are refused
// ("heap.bad_settings"), so a typo never silently falls back to a default.
Result<HeapSettings> heapSettingsFromJson(const boost::json::value& value);

// The annotation list entries for `settings` (for showing the sealed truth).
boost::json::array heapSettingsToAnnotations(const HeapSettings& settings);
bool isHeapAnnotation(std::string_view key);

}  // namespace clemmys::heap
