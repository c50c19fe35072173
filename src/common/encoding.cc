#include "common/encoding.h"

#include <array>

namespace clemmys {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string encode(std::string_view in, const char* alphabet, bool pad) {
  // Sized once and written by index: appending char by char re-checked the capacity
  // for every output byte (visible in the envelope path's profile).
  size_t full = in.size() / 3, rest = in.size() % 3;
  size_t size = full * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1);
  std::string out(size, '\0');
  char* o = out.data();
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(in[k])); };
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3, o += 4) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63];
    o[3] = alphabet[v & 63];
  }
  if (rest == 1) {
    uint32_t v = byte(i) << 16;
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    if (pad) o[2] = o[3] = '=';
  } else if (rest == 2) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63];
    if (pad) o[3] = '=';
  }
  return out;
}

std::array<int8_t, 256> table(const char* alphabet) {
  std::array<int8_t, 256> t;
  t.fill(-1);
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}

std::optional<std::string> decode(std::string_view in, const std::array<int8_t, 256>& t,
                                  bool allowPad, bool skipNewlines) {
  std::string out(in.size() / 4 * 3 + 3, '\0');  // written by index, trimmed at the end
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  size_t pads = 0;
  size_t symbols = 0;
  for (char c : in) {
    if (skipNewlines && (c == '\n' || c == '\r')) continue;
    if (c == '=') {
      if (!allowPad) return std::nullopt;
      ++pads;
      continue;
    }
    if (pads) return std::nullopt;  // data after padding
    int v = t[static_cast<uint8_t>(c)];
    if (v < 0) return std::nullopt;
    ++symbols;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (symbols % 4 == 1) return std::nullopt;
  if (pads && (symbols + pads) % 4 != 0) return std::nullopt;
  if (pads > 2) return std::nullopt;
  // Leftover bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  out.resize(n);
  return out;
}

}  // namespace

std::string toHex(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string toHex(std::string_view bytes) {
  return toHex(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::optional<std::string> fromHex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hexValue(hex[2 * i]), lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::string base64Encode(std::string_view bytes) { return encode(bytes, kStd, true); }

std::optional<std::string> base64Decode(std::string_view text) {
  static const auto t = table(kStd);
  return decode(text, t, true, true);
}

bool looksLikeBase64(std::string_view text) {
  if (text.empty()) return false;
  static const auto t = table(kStd);
  std::string_view trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r'))
    trimmed.remove_suffix(1);
  return decode(trimmed, t, true, true).has_value();
}

std::string base64UrlEncode(std::string_view bytes) { return encode(bytes, kUrl, false); }

std::optional<std::string> base64UrlDecode(std::string_view text) {
  static const auto t = table(kUrl);
  return decode(text, t, false, false);
}

}  // namespace clemmys
