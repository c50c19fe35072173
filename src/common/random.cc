#include "common/random.h"

#include <openssl/rand.h>

#include <cstdint>
#include <stdexcept>

#include "common/encoding.h"

namespace clemmys {

std::string Random::bytes(size_t n) {
  std::string out(n, '\0');
  fill(out.data(), n);
  return out;
}

std::string Random::hex(size_t nBytes) { return toHex(bytes(nBytes)); }

std::string Random::uuid() {
  std::string b = bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  std::string h = toHex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string Random::alnum(size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    uint8_t b;
    fill(&b, 1);
    if (b < 248) out += kAlphabet[b % 62];  // rejection sampling: no modulo bias
  }
  return out;
}

void SystemRandom::fill(void* out, size_t n) {
  // A CSPRNG failure "cannot happen" on a working system; crash rather than go on.
  if (RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
}

}  // namespace clemmys
