#include "heap/c_heap.h"

#include <gtest/gtest.h>

#include <cstring>

namespace clemmys::heap {
namespace {

TEST(CHeapTest, FunctionsAllocateAndFreeThroughTheTable) {
  auto heap = Heap::create(HeapOptions{size_t{4} << 20, Policy::batched, 16, true, false});
  ASSERT_TRUE(heap);
  const clemmys_heap table = cHeapFor(**heap);
  EXPECT_EQ(table.abi_version, CLEMMYS_HEAP_ABI_VERSION);
  EXPECT_EQ(table.capacity, size_t{4} << 20);
  (*heap)->beginInvocation();
  auto* p = static_cast<char*>(clemmys_alloc(&table, 256));
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(p[i], 0);  // fresh blocks are zero
  std::memset(p, 'x', 256);
  clemmys_free(&table, p);
  EXPECT_EQ((*heap)->stats().bytesInUse, 0u);
  EXPECT_EQ(clemmys_alloc(&table, size_t{8} << 20), nullptr);
  EXPECT_EQ((*heap)->stats().allocations, 1u);
  (*heap)->endInvocation();
}

}  // namespace
}  // namespace clemmys::heap
