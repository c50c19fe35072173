// Byte-buffer vocabulary shared by the crypto and attest modules.
// Bytes owns; ByteView borrows (the caller keeps the storage alive).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace clemmys::crypto {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView asBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace clemmys::crypto
