// Arena: the allocator of one heap, reset after every invocation. Small requests
// (block <= 64 KiB) are served from power-of-two size classes with free lists, larger
// ones from page-aligned blocks with a first-fit free list; both carve fresh space from
// a bump pointer. reset() forgets every block at once — the per-invocation lifetime of
// FaaS memory: nothing an invocation allocated outlives it.
//
// Zeroing on deallocation (zeroOnFree): release() zeroes the block's bytes and reset()
// zeroes everything the invocation touched (committed pages below the high-water mark),
// so free memory is always zero and allocation never needs to zero. Without it, a
// block's previous content stays visible to its next owner, as with malloc.
//
// Every block is 16-byte aligned and preceded by a 16-byte header; a free block keeps
// its free-list link in its first 8 bytes, cleared again when it is handed out.
// Thread safety: none — one thread at a time (the runtime runs one activation at a time).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "heap/region.h"

namespace clemmys::heap {

enum class ReleaseOutcome { released, invalid };

class Arena {
 public:
  Arena(Region& region, bool zeroOnFree) : region_(region), zeroOnFree_(zeroOnFree) {}

  // nullptr when the region has no room left (or size is 0).
  void* allocate(size_t size);
  // nullptr is a no-op; a pointer that is not a live block of this arena is rejected
  // (double free, foreign pointer) without touching memory.
  ReleaseOutcome release(void* pointer);
  // Drops every block; with zeroOnFree, zeroes all committed bytes used since the last
  // reset. Returns the bytes zeroed.
  size_t reset();

  size_t bytesInUse() const { return inUse_; }  // including headers and class rounding
  size_t highWater() const { return bump_; }
  size_t zeroedBytes() const { return zeroed_; }  // zeroing done by release()

  struct Header;  // opaque: the 16-byte block header, defined in arena.cc

 private:
  static constexpr size_t kMinClassShift = 4;   // 16 bytes
  static constexpr size_t kMaxClassShift = 16;  // 64 KiB
  static constexpr size_t kClasses = kMaxClassShift - kMinClassShift + 1;

  Header* carve(size_t bytes, size_t alignment);
  void* handOut(Header* header);

  Region& region_;
  bool zeroOnFree_;
  size_t bump_ = 0;  // offset of the first never-used byte
  size_t inUse_ = 0;
  size_t zeroed_ = 0;
  std::array<Header*, kClasses> small_{};
  Header* large_ = nullptr;
};

}  // namespace clemmys::heap
