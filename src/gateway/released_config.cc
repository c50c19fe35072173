#include "gateway/released_config.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "envelope/checks.h"

namespace clemmys::gateway {

namespace json = boost::json;

namespace {

std::unexpected<Error> bad(const std::string& what) { return fail("gateway.bad_config", what); }

const json::string* stringField(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

}  // namespace

Result<std::vector<std::string>> parseCredentials(std::string_view list) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      size_t colon = item.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size())
        return fail("gateway.no_client_credentials", "client credentials must be uuid:key");
      out.emplace_back(item);
    }
    pos = comma + 1;
  }
  if (out.empty()) return fail("gateway.no_client_credentials", "no client credentials released");
  return out;
}

Result<GatewayIdentity> loadReleasedConfig(const json::object& config, envelope::KeyRing& keys) {
  GatewayIdentity id;
  auto* keyList = config.if_contains("keys");
  if (keyList == nullptr || !keyList->is_array() || keyList->as_array().empty()) return bad("'keys' missing");
  for (const auto& k : keyList->as_array()) {
    if (!k.is_object()) return bad("'keys' entries must be objects");
    auto* version = k.as_object().if_contains("version");
    auto* key = stringField(k.as_object(), "key");
    if (version == nullptr || !version->is_number() || key == nullptr) return bad("key entry needs version and key");
    auto raw = base64UrlDecode(*key);
    if (!raw || raw->size() != 32) return bad("application key must be 32 bytes");
    crypto::SecretBytes secret(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(raw->data()), raw->size()));
    std::fill(raw->begin(), raw->end(), '\0');
    keys.add(version->to_number<uint32_t>(), std::move(secret));
  }
  auto current = keys.current();
  if (auto* cv = config.if_contains("current_key_version"); cv != nullptr && cv->is_number()) {
    if (!keys.has(cv->to_number<uint32_t>())) return bad("current_key_version not among the keys");
    current = cv->to_number<uint32_t>();
  }
  id.keyVersion = *current;
  auto* cert = stringField(config, "tls_certificate_pem");
  auto* ca = stringField(config, "session_ca_pem");
  if (cert == nullptr || cert->empty()) return bad("'tls_certificate_pem' missing");
  if (ca == nullptr || ca->empty()) return bad("'session_ca_pem' missing");
  id.tlsCertificatePem = std::string(*cert);
  id.sessionCaPem = std::string(*ca);
  auto* lifetime = config.if_contains("message_lifetime_ms");
  if (lifetime == nullptr || !lifetime->is_int64()) return bad("'message_lifetime_ms' missing");
  id.messageLifetimeMs = lifetime->as_int64();
  if (id.messageLifetimeMs < 1000 || id.messageLifetimeMs > envelope::kMaxLifetimeMs)
    return bad("'message_lifetime_ms' out of range");

  if (auto* creds = config.if_contains("client_credentials"); creds != nullptr && creds->is_array()) {
    std::string joined;
    for (const auto& c : creds->as_array()) {
      if (!c.is_string()) return bad("'client_credentials' must hold strings");
      joined += std::string(c.as_string()) + ",";
    }
    auto parsed = parseCredentials(joined);
    if (!parsed) return std::unexpected(parsed.error());
    id.clientCredentials = std::move(*parsed);
    return id;
  }
  auto* env = config.if_contains("env");
  const json::string* auth = env != nullptr && env->is_object() ? stringField(env->as_object(), kClientAuthEnv) : nullptr;
  if (auth == nullptr)
    return fail("gateway.no_client_credentials",
                std::string("policy entry '") + kConfigEntry + "' has no env " + kClientAuthEnv);
  auto parsed = parseCredentials(*auth);
  if (!parsed) return std::unexpected(parsed.error());
  id.clientCredentials = std::move(*parsed);
  return id;
}

}  // namespace clemmys::gateway
