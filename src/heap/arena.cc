#include "heap/arena.h"

#include <bit>
#include <cstring>

namespace clemmys::heap {

namespace {
constexpr uint32_t kLive = 0xC1E3'A11Cu;
constexpr uint32_t kFree = 0xC1E3'F4EEu;
constexpr uint32_t kLargeClass = 0xFFFF'FFFFu;
constexpr size_t kHeaderSize = 16;
}  // namespace

struct Arena::Header {
  uint32_t state;      // kLive or kFree: catches double and foreign frees
  uint32_t sizeClass;  // index into small_, or kLargeClass
  uint64_t bytes;      // whole block, header included
};
static_assert(sizeof(Arena::Header) == kHeaderSize);  // keeps user pointers 16-aligned

namespace {
// The free-list link lives in the first 8 user bytes of a free block.
Arena::Header*& linkOf(Arena::Header* header) {
  return *reinterpret_cast<Arena::Header**>(reinterpret_cast<std::byte*>(header) + kHeaderSize);
}
}  // namespace

Arena::Header* Arena::carve(size_t bytes, size_t alignment) {
  const size_t start = (bump_ + alignment - 1) / alignment * alignment;
  if (start > region_.size() || bytes > region_.size() - start) return nullptr;
  bump_ = start + bytes;
  auto* header = reinterpret_cast<Header*>(region_.base() + start);
  header->bytes = bytes;
  return header;
}

void* Arena::handOut(Header* header) {
  header->state = kLive;
  inUse_ += header->bytes;
  return reinterpret_cast<std::byte*>(header) + kHeaderSize;
}

void* Arena::allocate(size_t size) {
  if (size == 0 || size > region_.size()) return nullptr;
  const size_t needed = size + kHeaderSize;
  if (needed <= (size_t{1} << kMaxClassShift)) {
    const size_t shift = std::max<size_t>(kMinClassShift, std::bit_width(needed - 1));
    const size_t index = shift - kMinClassShift;
    if (Header* header = small_[index]) {
      small_[index] = linkOf(header);
      linkOf(header) = nullptr;  // restores the all-zero free block
      return handOut(header);
    }
    Header* header = carve(size_t{1} << shift, kHeaderSize);
    if (header == nullptr) return nullptr;
    header->sizeClass = static_cast<uint32_t>(index);
    return handOut(header);
  }
  const size_t page = region_.pageSize();
  const size_t bytes = (needed + page - 1) / page * page;
  for (Header** slot = &large_; *slot != nullptr; slot = &linkOf(*slot)) {
    Header* header = *slot;
    if (header->bytes < bytes) continue;
    *slot = linkOf(header);
    linkOf(header) = nullptr;
    return handOut(header);
  }
  Header* header = carve(bytes, page);
  if (header == nullptr) return nullptr;
  header->sizeClass = kLargeClass;
  return handOut(header);
}

ReleaseOutcome Arena::release(void* pointer) {
  if (pointer == nullptr) return ReleaseOutcome::released;
  if (!region_.contains(pointer)) return ReleaseOutcome::invalid;
  auto* user = static_cast<std::byte*>(pointer);
  const size_t offset = static_cast<size_t>(user - region_.base());
  if (offset < kHeaderSize || offset > bump_ || offset % kHeaderSize != 0) {
    return ReleaseOutcome::invalid;
  }
  auto* header = reinterpret_cast<Header*>(user - kHeaderSize);
  if (!region_.isCommitted(region_.pageOf(header)) || header->state != kLive) {
    return ReleaseOutcome::invalid;
  }
  header->state = kFree;
  inUse_ -= header->bytes;
  if (zeroOnFree_) {
    zeroed_ += region_.zeroCommitted(offset, header->bytes - kHeaderSize);
  }
  if (header->sizeClass == kLargeClass) {
    linkOf(header) = large_;
    large_ = header;
  } else {
    linkOf(header) = small_[header->sizeClass];
    small_[header->sizeClass] = header;
  }
  return ReleaseOutcome::released;
}

size_t Arena::reset() {
  size_t zeroed = 0;
  // Headers and free-list links are zeroed too: no trace of the invocation remains.
  if (zeroOnFree_) zeroed = region_.zeroCommitted(0, bump_);
  bump_ = 0;
  inUse_ = 0;
  small_.fill(nullptr);
  large_ = nullptr;
  return zeroed;
}

}  // namespace clemmys::heap
