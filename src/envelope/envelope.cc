#include "envelope/envelope.h"

#include <cstring>

namespace clemmys::envelope {
namespace {

constexpr uint8_t kMagic[4] = {'C', 'L', 'M', 'Y'};
constexpr uint8_t kVersion = 1;

void putU16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void putU32(Bytes& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
void putU64(Bytes& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
uint64_t getBE(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

const char* purpose(Type type) {
  switch (type) {
    case Type::invoke:
    case Type::result:
    case Type::error:
      return "msg";
    case Type::code:
      return "code";
    case Type::params:
      return "params";
    case Type::descriptor:
      return "descriptor";
    case Type::log:
      return "log";
  }
  return "";
}

const char* typeName(Type type) {
  switch (type) {
    case Type::invoke: return "INVOKE";
    case Type::result: return "RESULT";
    case Type::error: return "ERROR";
    case Type::code: return "CODE";
    case Type::params: return "PARAMS";
    case Type::descriptor: return "DESCRIPTOR";
    case Type::log: return "LOG";
  }
  return "?";
}

Bytes serializeHeader(const Header& h) {
  Bytes out;
  out.reserve(kFixedHeaderSize + h.target.size() + kNonceSize);
  out.insert(out.end(), kMagic, kMagic + 4);
  out.push_back(kVersion);
  out.push_back(static_cast<uint8_t>(h.type));
  putU32(out, h.keyVersion);
  out.insert(out.end(), h.id.begin(), h.id.end());
  out.insert(out.end(), h.chainId.begin(), h.chainId.end());
  putU16(out, h.step);
  putU16(out, h.steps);
  putU64(out, h.expiresMs);
  putU16(out, static_cast<uint16_t>(h.target.size()));
  out.insert(out.end(), h.target.begin(), h.target.end());
  out.insert(out.end(), h.nonce.begin(), h.nonce.end());
  return out;
}

Result<Parsed> parse(ByteView b) {
  // P1: size bounds before looking at anything else.
  if (b.size() > kMaxEnvelopeSize) return fail("envelope.too_large", "over 2 MiB");
  if (b.size() < kFixedHeaderSize) return fail("envelope.truncated", "shorter than a header");
  // P2: magic, version, type.
  if (std::memcmp(b.data(), kMagic, 4) != 0) return fail("envelope.bad_magic");
  if (b[4] != kVersion)
    return fail("envelope.unsupported_version", "version " + std::to_string(b[4]));
  if (b[5] < 1 || b[5] > 7) return fail("envelope.unknown_type", "type " + std::to_string(b[5]));
  Parsed p;
  Header& h = p.header;
  h.type = static_cast<Type>(b[5]);
  h.keyVersion = static_cast<uint32_t>(getBE(&b[6], 4));
  std::memcpy(h.id.data(), &b[10], 16);
  std::memcpy(h.chainId.data(), &b[26], 32);
  h.step = static_cast<uint16_t>(getBE(&b[58], 2));
  h.steps = static_cast<uint16_t>(getBE(&b[60], 2));
  h.expiresMs = getBE(&b[62], 8);
  size_t targetLen = getBE(&b[70], 2);
  // P3: target and nonce present, tag present.
  if (targetLen == 0 || targetLen > kMaxTargetSize) return fail("envelope.bad_target", "length");
  size_t headerSize = kFixedHeaderSize + targetLen + kNonceSize;
  if (b.size() < headerSize + kTagSize) return fail("envelope.truncated", "no room for tag");
  h.target.assign(reinterpret_cast<const char*>(&b[kFixedHeaderSize]), targetLen);
  for (unsigned char c : h.target)
    if (c < 0x20 || c == 0x7f) return fail("envelope.bad_target", "control character");
  std::memcpy(h.nonce.data(), &b[kFixedHeaderSize + targetLen], kNonceSize);
  p.headerBytes.assign(b.begin(), b.begin() + static_cast<ptrdiff_t>(headerSize));
  p.sealed.assign(b.begin() + static_cast<ptrdiff_t>(headerSize), b.end());
  return p;
}

}  // namespace clemmys::envelope
