// Region: a reserved range of address space whose pages are committed one by one, the
// simulation of an enclave's heap range. reserve() maps the whole range PROT_NONE and
// MAP_NORESERVE (address space only, like an SGXv2 enclave's uncommitted ELRANGE);
// commit() makes pages readable and writable and touches each newly committed page so
// the kernel really backs it (as EADD/EAUG put a real EPC page behind it).
//
// Thread safety: commit(), isCommitted() and committedPages() are async-signal-safe and
// may race with each other (the fault handler runs them on any thread); a page is
// counted once however many threads commit it. zeroCommitted() must not race with
// writers of the same bytes. Construction and destruction are single-threaded.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/error.h"

namespace clemmys::heap {

class Region {
 public:
  // Reserves `bytes` rounded up to whole pages. Errors: "heap.bad_size" (0 bytes),
  // "heap.reserve_failed" (mmap refused).
  static Result<std::unique_ptr<Region>> reserve(size_t bytes);
  ~Region();
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

  std::byte* base() const { return base_; }
  size_t size() const { return size_; }
  size_t pageSize() const { return pageSize_; }
  size_t pageCount() const { return size_ / pageSize_; }
  bool contains(const void* address) const;
  size_t pageOf(const void* address) const;  // REQUIRES: contains(address)

  // Commits pages [firstPage, firstPage + count), clipped to the region. Returns how
  // many were newly committed, or -1 when mprotect failed (e.g. vm.max_map_count).
  int64_t commit(size_t firstPage, size_t count) noexcept;
  bool isCommitted(size_t page) const noexcept;
  size_t committedPages() const noexcept;

  // Zeroes the committed pages among [offset, offset + length); uncommitted pages are
  // already zero (a fresh page is zero-filled, as EAUG's is) and are left uncommitted.
  // Returns the number of bytes written.
  size_t zeroCommitted(size_t offset, size_t length) noexcept;

 private:
  Region(std::byte* base, size_t size, size_t pageSize);

  std::byte* base_;
  size_t size_;
  size_t pageSize_;
  // One flag per page; atomics because concurrent faults may commit the same page.
  std::unique_ptr<std::atomic<uint8_t>[]> committed_;
  std::atomic<size_t> committedCount_{0};
};

}  // namespace clemmys::heap
