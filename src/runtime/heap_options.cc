#include "runtime/heap_options.h"

#include <cstdlib>
#include <string>

namespace clemmys::runtime {

Result<HeapDefaults> heapDefaultsFromEnv(const EnvLookup& getenv) {
  HeapDefaults d;
  char* end = nullptr;
  if (const char* size = getenv("CLEMMYS_HEAP_SIZE_MIB"); size && *size) {
    unsigned long long mib = std::strtoull(size, &end, 10);
    if (*end || mib == 0 || mib > heap::kMaxHeapMib)
      return fail("runtime.bad_heap", "CLEMMYS_HEAP_SIZE_MIB must be a positive integer");
    d.hasSize = true;
    d.options.sizeBytes = static_cast<size_t>(mib) << 20;
  }
  if (const char* policy = getenv("CLEMMYS_HEAP_POLICY"); policy && *policy) {
    auto p = heap::parsePolicy(policy);
    if (!p) return std::unexpected(p.error());
    d.options.policy = *p;
  }
  if (const char* batch = getenv("CLEMMYS_HEAP_BATCH_PAGES"); batch && *batch) {
    unsigned long n = std::strtoul(batch, &end, 10);
    if (*end || n == 0) return fail("runtime.bad_heap", "CLEMMYS_HEAP_BATCH_PAGES must be >= 1");
    d.options.batchPages = n;
  }
  if (const char* zero = getenv("CLEMMYS_HEAP_ZERO_ON_FREE")) d.options.zeroOnFree = std::string(zero) != "0";
  if (const char* measure = getenv("CLEMMYS_HEAP_MEASURE")) d.options.measurePages = std::string(measure) != "0";
  return d;
}

Result<std::optional<heap::HeapOptions>> resolveHeapOptions(const HeapDefaults& defaults,
                                                            const heap::HeapSettings& action) {
  if (!defaults.hasSize && !action.sizeMib) return std::optional<heap::HeapOptions>();
  heap::HeapOptions o = defaults.options;
  if (action.sizeMib) {
    // Checked again here: the /init body is input, not a validated document.
    if (*action.sizeMib == 0 || *action.sizeMib > heap::kMaxHeapMib)
      return fail("runtime.bad_heap", "heap size_mib out of range");
    o.sizeBytes = static_cast<size_t>(*action.sizeMib) << 20;
  }
  if (action.policy) {
    auto p = heap::parsePolicy(*action.policy);
    if (!p) return std::unexpected(p.error());
    o.policy = *p;
  }
  if (action.batchPages) {
    if (*action.batchPages == 0 || *action.batchPages > heap::kMaxBatchPages)
      return fail("runtime.bad_heap", "heap batch_pages out of range");
    o.batchPages = static_cast<size_t>(*action.batchPages);
  }
  if (action.zeroOnFree) o.zeroOnFree = *action.zeroOnFree;
  return std::optional<heap::HeapOptions>(o);
}

}  // namespace clemmys::runtime
