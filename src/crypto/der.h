// A minimal strict DER reader for the vendor-specific certificate extensions we
// must interpret ourselves (Intel's SGX extension, AMD's VCEK TCB values).
// Definite lengths only, single-byte tags, no indefinite forms. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"
#include "crypto/bytes.h"

namespace clemmys::crypto {

inline constexpr uint8_t kDerInteger = 0x02;
inline constexpr uint8_t kDerOctetString = 0x04;
inline constexpr uint8_t kDerOid = 0x06;
inline constexpr uint8_t kDerEnumerated = 0x0a;
inline constexpr uint8_t kDerSequence = 0x30;

struct DerElement {
  uint8_t tag = 0;
  ByteView content;
};

class DerReader {
 public:
  explicit DerReader(ByteView input) : rest_(input) {}
  bool done() const { return rest_.empty(); }
  // Reads the next TLV; error crypto.der_malformed on any structural problem.
  Result<DerElement> next();
  // Reads the next TLV and requires its tag.
  Result<DerElement> expect(uint8_t tag);

 private:
  ByteView rest_;
};

// "1.2.840.113741.1.13.1" from an OID's content octets.
Result<std::string> decodeOid(ByteView content);
// Non-negative INTEGER/ENUMERATED content that fits in 64 bits.
Result<uint64_t> decodeUnsigned(ByteView content);

}  // namespace clemmys::crypto
