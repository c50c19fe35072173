/*
 * Clemmys heap for `cpp` functions: a C ABI addition to function.h. The runtime hands a
 * function its enclave-style heap (see doc/heap.md) as a table of function pointers,
 * so a library needs no symbols from the runtime and keeps working when loaded
 * elsewhere (tests, phoenix-bench-native) with any table the host provides.
 *
 *   void* p = clemmys_alloc(heap, n);   // 16-byte aligned; NULL when the heap is full
 *   clemmys_free(heap, p);              // NULL is a no-op
 *
 * Lifetime: every block is released when the activation ends, whether freed or not —
 * do not keep heap pointers across activations. Memory is zeroed when it is released
 * (unless the operator disabled zeroing), so a fresh block is zero and no data from an
 * earlier activation is ever visible in it. Call only on the activation's threads and
 * not concurrently: the allocator is single-threaded (one activation at a time).
 */
#ifndef CLEMMYS_HEAP_H_
#define CLEMMYS_HEAP_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLEMMYS_HEAP_ABI_VERSION 1u

typedef struct clemmys_heap {
  uint32_t abi_version; /* CLEMMYS_HEAP_ABI_VERSION */
  void* (*alloc)(void* state, size_t size);
  void (*free)(void* state, void* pointer);
  void* state;          /* the runtime's heap; opaque */
  size_t capacity;      /* heap size in bytes, an upper bound on what can be allocated */
} clemmys_heap;

static inline void* clemmys_alloc(const clemmys_heap* heap, size_t size) {
  return heap->alloc(heap->state, size);
}

static inline void clemmys_free(const clemmys_heap* heap, void* pointer) {
  heap->free(heap->state, pointer);
}

#ifdef __cplusplus
}
#endif

#endif /* CLEMMYS_HEAP_H_ */
