// The sealed envelope of doc/formats/envelope.md: header layout, strict parsing and
// serialisation. Pure data handling — no keys here (see sealer.h).
// Thread safety: free functions, no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "crypto/bytes.h"

namespace clemmys::envelope {

using crypto::Bytes;
using crypto::ByteView;

enum class Type : uint8_t {
  invoke = 1,
  result = 2,
  error = 3,
  code = 4,
  params = 5,
  descriptor = 6,
  log = 7,
};

inline constexpr size_t kFixedHeaderSize = 72;  // up to and including target_len
inline constexpr size_t kNonceSize = 12;
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kMaxTargetSize = 1024;
inline constexpr size_t kMaxEnvelopeSize = 2u << 20;
inline constexpr const char* kGatewayTarget = "@gateway";

using Id = std::array<uint8_t, 16>;
using Digest = std::array<uint8_t, 32>;

struct Header {
  Type type = Type::invoke;
  uint32_t keyVersion = 0;
  Id id{};
  Digest chainId{};
  uint16_t step = 0;
  uint16_t steps = 0;
  uint64_t expiresMs = 0;
  std::string target;  // fqn or "@gateway"
  std::array<uint8_t, kNonceSize> nonce{};
};

struct Parsed {
  Header header;
  Bytes headerBytes;  // exactly the bytes authenticated as AAD
  Bytes sealed;       // ciphertext || tag
};

// P1–P4 of the format's checks (body grammar is checked after opening).
// Errors: envelope.truncated, envelope.too_large, envelope.bad_magic,
// envelope.unsupported_version, envelope.unknown_type, envelope.bad_target.
Result<Parsed> parse(ByteView bytes);

Bytes serializeHeader(const Header& header);

// The HKDF purpose string of a type: "msg", "code", "params", "descriptor", "log".
const char* purpose(Type type);
const char* typeName(Type type);

}  // namespace clemmys::envelope
