#include "heap/region.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace clemmys::heap {

Result<std::unique_ptr<Region>> Region::reserve(size_t bytes) {
  if (bytes == 0) return fail("heap.bad_size", "heap size must be positive");
  const size_t pageSize = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t size = (bytes + pageSize - 1) / pageSize * pageSize;
  void* base = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    return fail("heap.reserve_failed",
                "mmap of " + std::to_string(size) + " bytes: " + std::strerror(errno));
  }
  return std::unique_ptr<Region>(new Region(static_cast<std::byte*>(base), size, pageSize));
}

Region::Region(std::byte* base, size_t size, size_t pageSize)
    : base_(base),
      size_(size),
      pageSize_(pageSize),
      committed_(new std::atomic<uint8_t>[size / pageSize]()) {}

Region::~Region() { munmap(base_, size_); }

bool Region::contains(const void* address) const {
  auto* p = static_cast<const std::byte*>(address);
  return p >= base_ && p < base_ + size_;
}

size_t Region::pageOf(const void* address) const {
  return static_cast<size_t>(static_cast<const std::byte*>(address) - base_) / pageSize_;
}

int64_t Region::commit(size_t firstPage, size_t count) noexcept {
  const size_t pages = pageCount();
  if (firstPage >= pages) return 0;
  if (count > pages - firstPage) count = pages - firstPage;
  if (count == 0) return 0;
  std::byte* start = base_ + firstPage * pageSize_;
  // mprotect first: a page flagged committed must already be accessible, or a racing
  // fault would see the flag, retry the access and fault forever.
  if (mprotect(start, count * pageSize_, PROT_READ | PROT_WRITE) != 0) return -1;
  int64_t fresh = 0;
  for (size_t i = 0; i < count; ++i) {
    if (committed_[firstPage + i].exchange(1, std::memory_order_acq_rel) != 0) continue;
    // Touch with an atomic read-modify-write that stores nothing new: the kernel backs
    // the page (it is a write access), and a thread already writing there is not
    // clobbered.
    std::atomic_ref<uint8_t>(*reinterpret_cast<uint8_t*>(start + i * pageSize_))
        .fetch_or(0, std::memory_order_relaxed);
    ++fresh;
  }
  committedCount_.fetch_add(static_cast<size_t>(fresh), std::memory_order_relaxed);
  return fresh;
}

bool Region::isCommitted(size_t page) const noexcept {
  return page < pageCount() && committed_[page].load(std::memory_order_acquire) != 0;
}

size_t Region::committedPages() const noexcept {
  return committedCount_.load(std::memory_order_relaxed);
}

size_t Region::zeroCommitted(size_t offset, size_t length) noexcept {
  if (offset >= size_) return 0;
  if (length > size_ - offset) length = size_ - offset;
  size_t written = 0;
  size_t position = offset;
  const size_t end = offset + length;
  while (position < end) {
    const size_t page = position / pageSize_;
    const size_t pageEnd = (page + 1) * pageSize_;
    // Extend over a run of committed pages so large ranges are one memset.
    size_t runEnd = position;
    size_t runPage = page;
    while (runEnd < end && isCommitted(runPage)) {
      runEnd = std::min(end, (runPage + 1) * pageSize_);
      ++runPage;
    }
    if (runEnd > position) {
      std::memset(base_ + position, 0, runEnd - position);
      written += runEnd - position;
      position = runEnd;
    } else {
      position = std::min(end, pageEnd);  // uncommitted page: already zero
    }
  }
  return written;
}

}  // namespace clemmys::heap
