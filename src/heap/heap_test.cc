#include "heap/heap.h"

#include <gtest/gtest.h>

#include <cstring>

#include "heap/testing.h"

namespace clemmys::heap {
namespace {

using testing::residentPages;

constexpr size_t kMiB = size_t{1} << 20;

std::unique_ptr<Heap> makeHeap(Policy policy, size_t bytes = 64 * kMiB, bool zeroOnFree = true,
                               size_t batchPages = 16, bool measure = true) {
  auto heap = Heap::create(HeapOptions{bytes, policy, batchPages, zeroOnFree, measure});
  EXPECT_TRUE(heap) << heap.error().str();
  return heap ? std::move(*heap) : nullptr;
}

size_t resident(const Heap& heap) {
  return residentPages(heap.base(), heap.size(), heap.stats().pageSize);
}

TEST(HeapTest, EagerCommitsAndMeasuresTheWholeHeapAtCreate) {
  auto heap = makeHeap(Policy::eager, 8 * kMiB);
  ASSERT_TRUE(heap);
  HeapStats s = heap->stats();
  EXPECT_EQ(s.committedPages, 8 * kMiB / s.pageSize);
  EXPECT_EQ(resident(*heap), s.committedPages);
  EXPECT_EQ(s.faults, 0u);
  EXPECT_EQ(s.measurement.size(), 64u);
  auto again = makeHeap(Policy::eager, 8 * kMiB);
  EXPECT_EQ(again->stats().measurement, s.measurement);  // same layout, same content
  auto other = makeHeap(Policy::eager, 4 * kMiB);
  EXPECT_NE(other->stats().measurement, s.measurement);
  auto unmeasured = makeHeap(Policy::eager, 8 * kMiB, true, 16, false);
  EXPECT_TRUE(unmeasured->stats().measurement.empty());
}

TEST(HeapTest, LazyCommitsOnlyTouchedPagesOneFaultEach) {
  auto heap = makeHeap(Policy::lazy);
  ASSERT_TRUE(heap);
  const size_t page = heap->stats().pageSize;
  EXPECT_EQ(heap->stats().committedPages, 0u);
  EXPECT_EQ(resident(*heap), 0u);
  heap->base()[0] = std::byte{1};
  heap->base()[5 * page + 7] = std::byte{2};
  EXPECT_EQ(static_cast<int>(heap->base()[100 * page]), 0);  // a read faults too
  HeapStats s = heap->stats();
  EXPECT_EQ(s.faults, 3u);
  EXPECT_EQ(s.committedPages, 3u);
  EXPECT_EQ(resident(*heap), 3u);
  EXPECT_TRUE(s.measurement.empty());
}

TEST(HeapTest, LazyAllocationFaultsInWhatIsWritten) {
  auto heap = makeHeap(Policy::lazy);
  const size_t page = heap->stats().pageSize;
  heap->beginInvocation();
  auto* block = static_cast<char*>(heap->allocate(kMiB));
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kMiB);
  // A large block is page-aligned with its 16-byte header first: 1 MiB + 16 bytes.
  const size_t pages = (kMiB + 16 + page - 1) / page;
  EXPECT_EQ(heap->stats().faults, pages);
  EXPECT_EQ(heap->stats().committedPages, pages);
  EXPECT_EQ(resident(*heap), pages);
}

TEST(HeapTest, BatchedCommitsABatchPerFault) {
  auto heap = makeHeap(Policy::batched, 64 * kMiB, true, 16);
  const size_t page = heap->stats().pageSize;
  heap->beginInvocation();
  auto* block = static_cast<char*>(heap->allocate(kMiB));
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kMiB);
  const size_t pages = (kMiB + 16 + page - 1) / page;
  const size_t faults = (pages + 15) / 16;
  EXPECT_EQ(heap->stats().faults, faults);
  EXPECT_EQ(heap->stats().committedPages, faults * 16);
  EXPECT_EQ(resident(*heap), faults * 16);
}

TEST(HeapTest, BatchIsClippedAtTheEndOfTheHeap) {
  auto heap = makeHeap(Policy::batched, 8 * 4096, true, 16);
  const size_t page = heap->stats().pageSize;
  const size_t pages = heap->size() / page;
  heap->base()[(pages - 2) * page] = std::byte{1};
  EXPECT_EQ(heap->stats().faults, 1u);
  EXPECT_EQ(heap->stats().committedPages, 2u);
}

bool containsSecret(const char* p, size_t n) {
  static constexpr char kSecret[] = "TOP-SECRET-KEY";
  return std::search(p, p + n, kSecret, kSecret + sizeof kSecret - 1) != p + n;
}

// One invocation writes a secret into its block; the next allocates the same size and
// scans what it got, and the whole used part of the heap.
bool secretSurvives(Heap& heap, size_t size) {
  heap.beginInvocation();
  auto* first = static_cast<char*>(heap.allocate(size));
  EXPECT_NE(first, nullptr);
  for (size_t i = 0; i + 14 <= size; i += 14) std::memcpy(first + i, "TOP-SECRET-KEY", 14);
  const size_t used = heap.stats().highWater;
  heap.endInvocation();
  heap.beginInvocation();
  auto* second = static_cast<char*>(heap.allocate(size));
  EXPECT_EQ(second, first);  // same placement: the test looks where the secret was
  const bool survived = containsSecret(second, size) || containsSecret(
      reinterpret_cast<const char*>(heap.base()), used);
  heap.endInvocation();
  return survived;
}

TEST(HeapTest, ZeroOnFreeErasesSecretsBetweenInvocations) {
  for (Policy policy : {Policy::eager, Policy::lazy, Policy::batched}) {
    for (size_t size : {size_t{100}, size_t{40000}, 3 * kMiB}) {
      auto heap = makeHeap(policy, 16 * kMiB, true, 16, false);
      EXPECT_FALSE(secretSurvives(*heap, size)) << policyName(policy) << " " << size;
      EXPECT_GE(heap->stats().zeroedBytes, size);
    }
  }
}

TEST(HeapTest, WithoutZeroOnFreeSecretsCanSurvive) {
  // The control: proves the scan above would see a leak.
  for (Policy policy : {Policy::eager, Policy::lazy, Policy::batched}) {
    auto heap = makeHeap(policy, 16 * kMiB, false, 16, false);
    EXPECT_TRUE(secretSurvives(*heap, 40000)) << policyName(policy);
    EXPECT_EQ(heap->stats().zeroedBytes, 0u);
  }
}

TEST(HeapTest, ReleasedMemoryIsZeroBeforeTheInvocationEnds) {
  auto heap = makeHeap(Policy::batched);
  heap->beginInvocation();
  auto* p = static_cast<char*>(heap->allocate(5000));
  std::memcpy(p + 100, "TOP-SECRET-KEY", 14);
  heap->release(p);
  EXPECT_FALSE(containsSecret(reinterpret_cast<const char*>(heap->base()),
                              heap->stats().highWater));
  heap->endInvocation();
}

TEST(HeapTest, AllocationBeyondTheHeapFailsCleanly) {
  for (Policy policy : {Policy::eager, Policy::lazy, Policy::batched}) {
    auto heap = makeHeap(policy, kMiB, true, 16, false);
    heap->beginInvocation();
    EXPECT_EQ(heap->allocate(2 * kMiB), nullptr);
    HeapStats s = heap->stats();
    ASSERT_TRUE(s.lastError.has_value());
    EXPECT_EQ(s.lastError->name, "heap.exhausted");
    EXPECT_EQ(s.failedAllocations, 1u);
    auto failed = heap->tryAllocate(SIZE_MAX);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().name, "heap.exhausted");
    // Fill the heap with touched blocks until it refuses: no fault escapes the range.
    size_t blocks = 0;
    while (void* p = heap->allocate(30000)) {
      std::memset(p, 0x11, 30000);
      ++blocks;
    }
    EXPECT_GT(blocks, 0u);
    EXPECT_LE(heap->stats().committedPages * heap->stats().pageSize, heap->size());
    heap->endInvocation();
    heap->beginInvocation();
    EXPECT_FALSE(heap->stats().lastError.has_value());
    EXPECT_NE(heap->allocate(30000), nullptr);
  }
}

TEST(HeapTest, InvalidFreeIsCountedAndNamed) {
  auto heap = makeHeap(Policy::lazy);
  int local = 0;
  heap->release(&local);
  heap->release(nullptr);
  HeapStats s = heap->stats();
  EXPECT_EQ(s.invalidReleases, 1u);
  ASSERT_TRUE(s.lastError);
  EXPECT_EQ(s.lastError->name, "heap.invalid_free");
}

TEST(HeapTest, BadOptionsAreNamed) {
  auto zeroBatch = Heap::create(HeapOptions{kMiB, Policy::batched, 0, true, true});
  ASSERT_FALSE(zeroBatch);
  EXPECT_EQ(zeroBatch.error().name, "heap.bad_options");
  auto empty = Heap::create(HeapOptions{0, Policy::lazy, 16, true, true});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().name, "heap.bad_size");
}

TEST(HeapTest, EagerStartupCostsMoreThanLazy) {
  auto eager = makeHeap(Policy::eager, 64 * kMiB);
  auto lazy = makeHeap(Policy::lazy, 64 * kMiB);
  EXPECT_GT(eager->stats().startupUs, lazy->stats().startupUs);
}

TEST(HeapTest, PolicyNamesRoundTrip) {
  for (Policy policy : {Policy::eager, Policy::lazy, Policy::batched}) {
    auto parsed = parsePolicy(policyName(policy));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, policy);
  }
  auto bad = parsePolicy("sgx1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().name, "heap.bad_policy");
}

}  // namespace
}  // namespace clemmys::heap
