// heap::Heap: the enclave-style heap of native (`cpp`) functions — Clemmys' SGXv2
// start-up work, simulated with real memory (no SGX needed):
//   eager   — at create(), commit and touch every page (SGXv1: EADD each page), and with
//             measurePages hash every page with SHA-256 into a running measurement, the
//             stand-in for EEXTEND building MRENCLAVE. Start-up grows with the heap size.
//   lazy    — reserve only; the first touch of a page faults, the SIGSEGV dispatcher
//             commits that page (SGXv2 EDMM: #PF → EAUG → EACCEPT) and counts the fault.
//   batched — like lazy, but a fault commits batchPages pages from the faulting one on
//             ("EPC batch augmentation": fewer, amortised faults).
// zeroOnFree: released memory is zeroed at deallocation (Clemmys' "zeroing on
// deallocation"), so allocation needs no zeroing and nothing one invocation wrote is
// visible to the next. Allocation is a per-invocation arena (arena.h): everything
// allocated between beginInvocation() and endInvocation() is released by the latter.
//
// Thread safety: allocation, release, invocations and stats() are single-threaded
// (the runtime runs one activation at a time — action concurrency 1). Faults, i.e.
// first touches of heap memory, may come from any thread of the function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "heap/arena.h"
#include "heap/fault_dispatcher.h"
#include "heap/region.h"

namespace clemmys::heap {

enum class Policy { eager, lazy, batched };

// "eager" | "lazy" | "batched"; else "heap.bad_policy".
Result<Policy> parsePolicy(std::string_view name);
std::string_view policyName(Policy policy);

struct HeapOptions {
  size_t sizeBytes = size_t{256} << 20;
  Policy policy = Policy::batched;
  size_t batchPages = 16;    // pages committed per fault (batched only; >= 1)
  bool zeroOnFree = true;
  bool measurePages = true;  // eager only: SHA-256 every page, the EEXTEND simulation
};

struct HeapStats {
  Policy policy = Policy::eager;
  size_t sizeBytes = 0;
  size_t pageSize = 0;
  size_t committedPages = 0;
  uint64_t faults = 0;          // commit faults handled (lazy, batched)
  int64_t startupUs = 0;        // create(): reserve + eager commit + measure
  uint64_t invocations = 0;     // completed endInvocation() calls
  uint64_t allocations = 0;
  uint64_t failedAllocations = 0;
  uint64_t invalidReleases = 0;
  size_t bytesInUse = 0;
  size_t highWater = 0;         // bytes of the heap used in this invocation so far
  uint64_t zeroedBytes = 0;     // written by zeroing on release and at endInvocation
  std::string measurement;      // hex SHA-256 (eager with measurePages), else empty
  std::optional<Error> lastError;  // "heap.exhausted", "heap.invalid_free"
};

class Heap final : public FaultTarget {
 public:
  // Errors: "heap.bad_size", "heap.bad_options", "heap.reserve_failed",
  // "heap.commit_failed", "heap.measure_failed", "heap.too_many_heaps",
  // "heap.sigaction_failed".
  static Result<std::unique_ptr<Heap>> create(const HeapOptions& options);
  ~Heap() override;
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  void beginInvocation();
  // Releases everything allocated since beginInvocation(); with zeroOnFree, zeroes it.
  void endInvocation();

  // nullptr when the heap is exhausted (stats().lastError is "heap.exhausted").
  void* allocate(size_t size);
  Result<void*> tryAllocate(size_t size);
  // nullptr is ignored; an invalid pointer is counted ("heap.invalid_free") and ignored.
  void release(void* pointer);

  HeapStats stats() const;
  const HeapOptions& options() const { return options_; }
  std::byte* base() const { return region_->base(); }
  size_t size() const { return region_->size(); }

  bool onFault(void* address) noexcept override;

 private:
  Heap(const HeapOptions& options, std::unique_ptr<Region> region);
  Status commitEagerly();

  HeapOptions options_;
  std::unique_ptr<Region> region_;
  Arena arena_;
  bool registered_ = false;
  std::atomic<uint64_t> faults_{0};
  int64_t startupUs_ = 0;
  uint64_t invocations_ = 0;
  uint64_t allocations_ = 0;
  uint64_t failedAllocations_ = 0;
  uint64_t invalidReleases_ = 0;
  uint64_t resetZeroed_ = 0;
  std::string measurement_;
  std::optional<Error> lastError_;
};

}  // namespace clemmys::heap
