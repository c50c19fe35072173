#include "controller/api_util.h"

#include <openssl/crypto.h>

#include <cctype>
#include <charconv>

#include "common/encoding.h"

namespace clemmys::controller {

http::Response errorResponse(int status, std::string_view message, std::string_view txid) {
  return http::Response::json(status, json::object{{"error", message}, {"code", txid}});
}

http::Response jsonResponse(int status, const json::value& body) {
  return http::Response::json(status, body);
}

bool queryFlag(const http::Request& r, const std::string& name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.size() != 4) return false;
  std::string v = it->second;
  for (auto& c : v) c = char(std::tolower(static_cast<unsigned char>(c)));
  return v == "true";
}

std::optional<long long> parseInteger(std::string_view text) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

Authenticator::Authenticator(std::vector<store::Subject> subjects) : subjects_(std::move(subjects)) {
  for (size_t i = 0; i < subjects_.size(); ++i)
    byHeader_["Basic " + base64Encode(subjects_[i].uuid + ":" + subjects_[i].key)] = i;
}

const store::Subject* Authenticator::check(std::optional<std::string_view> header) const {
  if (!header) return nullptr;
  auto it = byHeader_.find(std::string(*header));
  if (it != byHeader_.end()) return &subjects_[it->second];
  // Slow path: other spellings of the same credentials (scheme case, padding).
  std::string_view h = *header;
  if (h.size() < 6) return nullptr;
  std::string scheme(h.substr(0, 6));
  for (auto& c : scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "basic ") return nullptr;
  h.remove_prefix(6);
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  auto decoded = base64Decode(h);
  if (!decoded) return nullptr;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return nullptr;
  std::string uuid = decoded->substr(0, colon), key = decoded->substr(colon + 1);
  for (auto& s : subjects_)
    if (s.uuid == uuid && s.key.size() == key.size() &&
        CRYPTO_memcmp(s.key.data(), key.data(), key.size()) == 0)
      return &s;
  return nullptr;
}

}  // namespace clemmys::controller
