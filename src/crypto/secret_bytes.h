// SecretBytes: an owned buffer for key material that zeroes itself (OPENSSL_cleanse)
// when destroyed or overwritten, is move-only, and has no printing or streaming
// operators, so it cannot end up in a log line by accident.
// Thread safety: like std::vector (no internal locking).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace clemmys::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size, 0) {}
  explicit SecretBytes(std::span<const uint8_t> data) : bytes_(data.begin(), data.end()) {}
  ~SecretBytes() { wipe(); }

  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.bytes_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept;

  // Explicit copy, so duplicating a secret is visible at the call site.
  SecretBytes clone() const { return SecretBytes(view()); }

  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  std::span<const uint8_t> view() const { return bytes_; }
  std::span<uint8_t> mutableView() { return bytes_; }

  // Zeroes the contents and releases them.
  void wipe();

  // Constant-time comparison of equal-length buffers (false when lengths differ).
  bool equals(std::span<const uint8_t> other) const;

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace clemmys::crypto
