// Test helpers of the heap module: what the kernel says about a range, independent of
// the heap's own bookkeeping.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <vector>

namespace clemmys::heap::testing {

// Pages of [base, base + bytes) backed by memory, per mincore(2). REQUIRES: base is
// page-aligned and the range mapped.
inline size_t residentPages(const void* base, size_t bytes, size_t pageSize) {
  std::vector<unsigned char> flags((bytes + pageSize - 1) / pageSize);
  if (mincore(const_cast<void*>(base), bytes, flags.data()) != 0) return static_cast<size_t>(-1);
  size_t resident = 0;
  for (unsigned char flag : flags) resident += flag & 1;
  return resident;
}

}  // namespace clemmys::heap::testing
