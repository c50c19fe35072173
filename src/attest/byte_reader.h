// Bounds-checked little-endian reader for TEE evidence (Intel and AMD formats
// are little-endian). Every read that would pass the end fails with the error
// name given at construction; nothing reads out of bounds. Thread-compatible.
#pragma once

#include <array>
#include <cstring>
#include <string>

#include "common/error.h"
#include "crypto/bytes.h"

namespace clemmys::attest {

using crypto::ByteView;
using crypto::Bytes;

class ByteReader {
 public:
  ByteReader(ByteView data, std::string truncatedError) : data_(data), error_(std::move(truncatedError)) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  Result<ByteView> take(size_t n, const char* what) {
    if (remaining() < n) return fail(error_, std::string("input ends inside ") + what);
    ByteView out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  template <size_t N>
  Result<std::array<uint8_t, N>> array(const char* what) {
    auto b = take(N, what);
    if (!b) return std::unexpected(b.error());
    std::array<uint8_t, N> out;
    std::memcpy(out.data(), b->data(), N);
    return out;
  }
  Result<uint16_t> u16(const char* what) { return little<uint16_t>(what); }
  Result<uint32_t> u32(const char* what) { return little<uint32_t>(what); }
  Result<uint64_t> u64(const char* what) { return little<uint64_t>(what); }

 private:
  template <class T>
  Result<T> little(const char* what) {
    auto b = take(sizeof(T), what);
    if (!b) return std::unexpected(b.error());
    T v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>((*b)[i]) << (8 * i));
    return v;
  }

  ByteView data_;
  size_t pos_ = 0;
  std::string error_;
};

// Little-endian load from a fixed offset of a span known to be long enough.
inline uint64_t loadLe(ByteView b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[off + i]) << (8 * i);
  return v;
}

}  // namespace clemmys::attest
