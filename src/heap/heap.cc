#include "heap/heap.h"

#include <openssl/evp.h>

#include "common/clock.h"
#include "common/encoding.h"

namespace clemmys::heap {

Result<Policy> parsePolicy(std::string_view name) {
  if (name == "eager") return Policy::eager;
  if (name == "lazy") return Policy::lazy;
  if (name == "batched") return Policy::batched;
  return fail("heap.bad_policy",
              "unknown heap policy '" + std::string(name) + "' (eager, lazy, batched)");
}

std::string_view policyName(Policy policy) {
  switch (policy) {
    case Policy::eager: return "eager";
    case Policy::lazy: return "lazy";
    case Policy::batched: return "batched";
  }
  return "unknown";
}

Result<std::unique_ptr<Heap>> Heap::create(const HeapOptions& options) {
  if (options.policy == Policy::batched && options.batchPages == 0) {
    return fail("heap.bad_options", "batchPages must be at least 1");
  }
  const int64_t started = monotonicUs();
  auto region = Region::reserve(options.sizeBytes);
  if (!region) return std::unexpected(region.error());
  std::unique_ptr<Heap> heap(new Heap(options, std::move(*region)));
  if (options.policy == Policy::eager) {
    if (auto committed = heap->commitEagerly(); !committed) {
      return std::unexpected(committed.error());
    }
  } else {
    if (auto registered = registerFaultTarget(heap.get()); !registered) {
      return std::unexpected(registered.error());
    }
    heap->registered_ = true;
  }
  heap->startupUs_ = monotonicUs() - started;
  return heap;
}

Heap::Heap(const HeapOptions& options, std::unique_ptr<Region> region)
    : options_(options), region_(std::move(region)), arena_(*region_, options.zeroOnFree) {}

Heap::~Heap() {
  if (registered_) unregisterFaultTarget(this);
}

Status Heap::commitEagerly() {
  // One mprotect, then a write to every page: what EADD does for each page of an
  // SGXv1 enclave before it may run.
  if (region_->commit(0, region_->pageCount()) < 0) {
    return fail("heap.commit_failed", "mprotect of the eager heap failed");
  }
  if (!options_.measurePages) return {};
  // EEXTEND: the measurement covers each page's offset and content, in order.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return fail("heap.measure_failed", "SHA-256 unavailable");
  }
  const size_t page = region_->pageSize();
  for (size_t i = 0; i < region_->pageCount(); ++i) {
    const uint64_t offset = i * page;
    if (EVP_DigestUpdate(ctx.get(), &offset, sizeof offset) != 1 ||
        EVP_DigestUpdate(ctx.get(), region_->base() + offset, page) != 1) {
      return fail("heap.measure_failed", "SHA-256 update failed");
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    return fail("heap.measure_failed", "SHA-256 final failed");
  }
  measurement_ = toHex(std::span<const uint8_t>(digest, length));
  return {};
}

bool Heap::onFault(void* address) noexcept {
  if (!region_->contains(address)) return false;
  const size_t page = region_->pageOf(address);
  // Already committed: another thread's fault committed it between our access and
  // now; returning retries the access. (A committed page is read-write and never
  // executable, and the dispatcher filters instruction fetches, so this cannot loop.)
  if (region_->isCommitted(page)) return true;
  const size_t batch = options_.policy == Policy::batched ? options_.batchPages : 1;
  const int64_t fresh = region_->commit(page, batch);
  if (fresh < 0) return false;  // mprotect failed: pass it on and crash, loudly
  // A racing thread may have committed the page meanwhile: count only the fault that
  // did the work, so `faults` counts commits (EAUG batches), not retries.
  if (fresh > 0) faults_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void Heap::beginInvocation() { lastError_.reset(); }

void Heap::endInvocation() {
  resetZeroed_ += arena_.reset();
  ++invocations_;
}

void* Heap::allocate(size_t size) {
  void* block = arena_.allocate(size);
  if (block == nullptr) {
    ++failedAllocations_;
    lastError_ = Error{"heap.exhausted", "cannot allocate " + std::to_string(size) +
                                             " bytes from a heap of " +
                                             std::to_string(region_->size()) + " bytes"};
    return nullptr;
  }
  ++allocations_;
  return block;
}

Result<void*> Heap::tryAllocate(size_t size) {
  if (void* block = allocate(size)) return block;
  return std::unexpected(*lastError_);
}

void Heap::release(void* pointer) {
  if (arena_.release(pointer) == ReleaseOutcome::invalid) {
    ++invalidReleases_;
    lastError_ = Error{"heap.invalid_free", "pointer is not a live block of this heap"};
  }
}

HeapStats Heap::stats() const {
  HeapStats s;
  s.policy = options_.policy;
  s.sizeBytes = region_->size();
  s.pageSize = region_->pageSize();
  s.committedPages = region_->committedPages();
  s.faults = faults_.load(std::memory_order_relaxed);
  s.startupUs = startupUs_;
  s.invocations = invocations_;
  s.allocations = allocations_;
  s.failedAllocations = failedAllocations_;
  s.invalidReleases = invalidReleases_;
  s.bytesInUse = arena_.bytesInUse();
  s.highWater = arena_.highWater();
  s.zeroedBytes = resetZeroed_ + arena_.zeroedBytes();
  s.measurement = measurement_;
  s.lastError = lastError_;
  return s;
}

}  // namespace clemmys::heap
