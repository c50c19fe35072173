#include "heap/c_heap.h"

namespace clemmys::heap {
namespace {

void* allocThunk(void* state, size_t size) { return static_cast<Heap*>(state)->allocate(size); }

void freeThunk(void* state, void* pointer) { static_cast<Heap*>(state)->release(pointer); }

}  // namespace

clemmys_heap cHeapFor(Heap& heap) {
  return clemmys_heap{CLEMMYS_HEAP_ABI_VERSION, allocThunk, freeThunk, &heap, heap.size()};
}

}  // namespace clemmys::heap
