#include "crypto/der.h"

namespace clemmys::crypto {

Result<DerElement> DerReader::next() {
  if (rest_.size() < 2) return fail("crypto.der_malformed", "truncated TLV header");
  uint8_t tag = rest_[0];
  if ((tag & 0x1f) == 0x1f) return fail("crypto.der_malformed", "multi-byte tags unsupported");
  size_t pos = 2;
  size_t len = rest_[1];
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4) return fail("crypto.der_malformed", "bad length-of-length");
    if (rest_.size() < 2 + n) return fail("crypto.der_malformed", "truncated length");
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | rest_[2 + i];
    if (len < 0x80 || rest_[2] == 0) return fail("crypto.der_malformed", "non-minimal length");
    pos += n;
  }
  if (rest_.size() - pos < len) return fail("crypto.der_malformed", "length exceeds input");
  DerElement el{tag, rest_.subspan(pos, len)};
  rest_ = rest_.subspan(pos + len);
  return el;
}

Result<DerElement> DerReader::expect(uint8_t tag) {
  auto el = next();
  if (!el) return el;
  if (el->tag != tag) return fail("crypto.der_malformed", "unexpected tag " + std::to_string(el->tag));
  return el;
}

Result<std::string> decodeOid(ByteView content) {
  if (content.empty()) return fail("crypto.der_malformed", "empty OID");
  std::string out;
  uint64_t value = 0;
  bool first = true;
  for (size_t i = 0; i < content.size(); ++i) {
    if (value > (UINT64_MAX >> 7)) return fail("crypto.der_malformed", "OID arc too large");
    value = (value << 7) | (content[i] & 0x7f);
    if (content[i] & 0x80) {
      if (i + 1 == content.size()) return fail("crypto.der_malformed", "truncated OID arc");
      continue;
    }
    if (first) {
      uint64_t a = value < 80 ? value / 40 : 2;
      // Appended piece by piece: `"." + std::to_string(v)` trips GCC 12's -Wrestrict
      // false positive at -O3 (GCC PR 105329).
      out = std::to_string(a);
      out += '.';
      out += std::to_string(value - a * 40);
      first = false;
    } else {
      out += '.';
      out += std::to_string(value);
    }
    value = 0;
  }
  return out;
}

Result<uint64_t> decodeUnsigned(ByteView content) {
  if (content.empty()) return fail("crypto.der_malformed", "empty INTEGER");
  if (content[0] & 0x80) return fail("crypto.der_malformed", "negative INTEGER");
  size_t start = content.size() > 1 && content[0] == 0 ? 1 : 0;
  if (content.size() - start > 8) return fail("crypto.der_malformed", "INTEGER too large");
  uint64_t v = 0;
  for (size_t i = start; i < content.size(); ++i) v = (v << 8) | content[i];
  return v;
}

}  // namespace clemmys::crypto
