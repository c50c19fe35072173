// Injected randomness. SystemRandom draws from OpenSSL's CSPRNG; tests may pass a
// deterministic implementation.
#pragma once

#include <cstddef>
#include <string>

namespace clemmys {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(void* out, size_t n) = 0;

  std::string bytes(size_t n);
  std::string hex(size_t nBytes);  // 2*nBytes lowercase hex characters
  // 8-4-4-4-12 lowercase UUID (version 4).
  std::string uuid();
  // n characters from [A-Za-z0-9] (OpenWhisk's 64-character keys).
  std::string alnum(size_t n);
};

class SystemRandom final : public Random {
 public:
  void fill(void* out, size_t n) override;
};

}  // namespace clemmys
