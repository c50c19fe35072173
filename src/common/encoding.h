// Hex and base64 (standard and URL-safe) encoders/decoders. Decoders are strict:
// they reject characters outside the alphabet and malformed padding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace clemmys {

std::string toHex(std::span<const uint8_t> bytes);
std::string toHex(std::string_view bytes);
std::optional<std::string> fromHex(std::string_view hex);

std::string base64Encode(std::string_view bytes);
// Accepts padded or unpadded standard base64; ignores '\r' and '\n'.
std::optional<std::string> base64Decode(std::string_view text);
// True when text looks like base64 (OpenWhisk's Exec.isBinaryCode heuristic).
bool looksLikeBase64(std::string_view text);

std::string base64UrlEncode(std::string_view bytes);  // no padding
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace clemmys
