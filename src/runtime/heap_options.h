// The heap a `cpp` function gets (doc/heap.md, "Per-action settings"): the runtime's
// defaults, from its environment (CLEMMYS_HEAP_SIZE_MIB, _POLICY, _BATCH_PAGES,
// _ZERO_ON_FREE, _MEASURE), overridden member by member by the action's settings
// (its clemmys-heap-* annotations, as /init's or the sealed CODE's "heap" object).
// A function has a heap when either side gives a size; otherwise it has none
// (clemmys_context.heap is NULL) and the other settings have nothing to apply to.
// Pure functions; thread-safe.
#pragma once

#include <functional>
#include <optional>

#include "common/error.h"
#include "heap/heap.h"
#include "heap/heap_settings.h"

namespace clemmys::runtime {

struct HeapDefaults {
  bool hasSize = false;       // CLEMMYS_HEAP_SIZE_MIB given: functions get a heap by default
  heap::HeapOptions options;  // sizeBytes is meaningful only with hasSize
};

// getenv, or a fake in tests. Error "runtime.bad_heap" (or "heap.bad_policy").
using EnvLookup = std::function<const char*(const char*)>;
Result<HeapDefaults> heapDefaultsFromEnv(const EnvLookup& getenv);

// nullopt: no heap. Error "runtime.bad_heap" for settings the heap cannot honour.
Result<std::optional<heap::HeapOptions>> resolveHeapOptions(const HeapDefaults& defaults,
                                                            const heap::HeapSettings& action);

}  // namespace clemmys::runtime
