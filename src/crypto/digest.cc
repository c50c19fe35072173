#include "crypto/digest.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace clemmys::crypto {
namespace {

// EVP_Digest only fails on allocation failure or a missing provider: both are
// environment bugs we cannot recover from, so they abort rather than return.
template <size_t N>
std::array<uint8_t, N> digest(const EVP_MD* md, ByteView data) {
  std::array<uint8_t, N> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1 || len != N) {
    std::abort();
  }
  return out;
}

}  // namespace

Sha256Digest sha256(ByteView data) { return digest<32>(EVP_sha256(), data); }
Sha384Digest sha384(ByteView data) { return digest<48>(EVP_sha384(), data); }

}  // namespace clemmys::crypto
