// The C view of a Heap for loaded functions: the clemmys_heap table of
// include/clemmys/heap.h bound to one Heap. The table points at the Heap; it must not
// outlive it. Thread safety: as Heap (single-threaded allocation).
#pragma once

#include "clemmys/heap.h"
#include "heap/heap.h"

namespace clemmys::heap {

clemmys_heap cHeapFor(Heap& heap);

}  // namespace clemmys::heap
