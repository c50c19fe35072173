#include "envelope/chain.h"

#include <cstring>

#include "crypto/digest.h"

namespace clemmys::envelope {
namespace {

void putU16(Bytes& out, size_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void putString(Bytes& out, std::string_view s) {
  putU16(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

// Cursor over a body; every read is bounds-checked.
struct Reader {
  ByteView b;
  size_t pos = 0;
  bool ok = true;
  uint64_t be(int n) {
    if (!ok || b.size() - pos < static_cast<size_t>(n)) return ok = false, 0;
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | b[pos++];
    return v;
  }
  std::string str(size_t n) {
    if (!ok || b.size() - pos < n) return ok = false, std::string();
    std::string s(reinterpret_cast<const char*>(&b[pos]), n);
    pos += n;
    return s;
  }
};

}  // namespace

Bytes encodeChainSpec(const ChainSpec& chain) {
  Bytes out;
  putString(out, chain.seq);
  putU16(out, chain.steps.size());
  for (const auto& link : chain.steps) {
    putString(out, link.fqn);
    out.insert(out.end(), link.codeDigest.begin(), link.codeDigest.end());
  }
  return out;
}

Digest chainId(const ChainSpec& chain) { return crypto::sha256(encodeChainSpec(chain)); }

Bytes encodeMessageBody(const ChainSpec& chain, std::string_view payload, LogCounts logs) {
  Bytes spec = encodeChainSpec(chain);
  Bytes out;
  out.reserve(12 + spec.size() + payload.size());
  auto u32 = [&](uint32_t n) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(n >> s));
  };
  u32(static_cast<uint32_t>(spec.size()));
  out.insert(out.end(), spec.begin(), spec.end());
  u32(logs.out);
  u32(logs.err);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<MessageBody> decodeMessageBody(ByteView body) {
  Reader r{body};
  size_t specLen = r.be(4);
  if (!r.ok || specLen > 65535 || specLen > body.size() - 4)
    return fail("envelope.malformed_body", "chain spec length");
  MessageBody m;
  m.chainSpecBytes.assign(body.begin() + 4, body.begin() + 4 + static_cast<ptrdiff_t>(specLen));
  Reader s{ByteView(m.chainSpecBytes)};
  size_t seqLen = s.be(2);
  if (!s.ok || seqLen == 0 || seqLen > kMaxTargetSize)
    return fail("envelope.malformed_body", "seq length");
  m.chain.seq = s.str(seqLen);
  size_t count = s.be(2);
  if (!s.ok || count == 0 || count > kMaxChainLength)
    return fail("envelope.malformed_body", "chain length");
  for (size_t i = 0; i < count; ++i) {
    Link link;
    size_t fqnLen = s.be(2);
    if (!s.ok || fqnLen == 0 || fqnLen > kMaxTargetSize)
      return fail("envelope.malformed_body", "fqn length");
    link.fqn = s.str(fqnLen);
    std::string d = s.str(32);
    if (!s.ok) return fail("envelope.malformed_body", "truncated chain");
    std::memcpy(link.codeDigest.data(), d.data(), 32);
    m.chain.steps.push_back(std::move(link));
  }
  if (s.pos != m.chainSpecBytes.size())
    return fail("envelope.malformed_body", "trailing bytes in chain spec");
  Reader counts{body.subspan(4 + specLen)};
  m.logs.out = static_cast<uint32_t>(counts.be(4));
  m.logs.err = static_cast<uint32_t>(counts.be(4));
  if (!counts.ok) return fail("envelope.malformed_body", "log counts");
  m.payload.assign(reinterpret_cast<const char*>(body.data()) + 12 + specLen,
                   body.size() - 12 - specLen);
  return m;
}

Digest codeDigest(std::string_view kind, std::string_view main, std::string_view code) {
  std::string buf;
  buf.reserve(kind.size() + main.size() + code.size() + 2);
  buf.append(kind).push_back('\0');
  buf.append(main).push_back('\0');
  buf.append(code);
  return crypto::sha256(crypto::asBytes(buf));
}

Digest codeDigest(std::string_view kind, std::string_view main, std::string_view code, std::string_view heap) {
  Digest base = codeDigest(kind, main, code);
  if (heap.empty()) return base;
  // A fixed tag, then fixed-length fields: no v1 preimage (it starts with a kind)
  // and no other (code, heap) pair produces the same bytes.
  std::string buf = "clemmys/v1/code+heap";
  buf.push_back('\0');
  buf.append(reinterpret_cast<const char*>(base.data()), base.size());
  buf.append(heap);
  return crypto::sha256(crypto::asBytes(buf));
}

}  // namespace clemmys::envelope
