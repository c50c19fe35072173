#include "kms/state.h"

#include <boost/json.hpp>

#include <openssl/crypto.h>

#include "common/encoding.h"

namespace clemmys::kms {
namespace {

namespace json = boost::json;

std::string_view view(const crypto::SecretBytes& s) {
  return std::string_view(reinterpret_cast<const char*>(s.data()), s.size());
}

crypto::SecretBytes secretFrom(std::string_view s) { return crypto::SecretBytes(crypto::asBytes(s)); }

// Wipes a std::string that held secret material.
void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

json::object encodeSession(const SessionState& s) {
  json::array history;
  for (const auto& v : s.history) {
    history.push_back(json::object{{"hash", v.hash},
                                   {"version", v.version},
                                   {"yaml", v.yaml},
                                   {"signature", v.signature},
                                   {"signer", v.signerHex},
                                   {"applied_ms", v.appliedMs}});
  }
  json::array keys;
  for (const auto& k : s.appKeys) {
    keys.push_back(json::object{{"version", k.version},
                                {"key", base64UrlEncode(view(k.key))},
                                {"created_ms", k.createdMs}});
  }
  json::object secrets;
  for (const auto& [name, sec] : s.secrets) {
    secrets[name] = json::object{{"kind", policy::secretKindName(sec.kind)},
                                 {"value", base64UrlEncode(view(sec.value))},
                                 {"cert", sec.certPem}};
  }
  crypto::SecretBytes caKey = s.caKey ? s.caKey->toPem() : crypto::SecretBytes();
  return json::object{{"history", std::move(history)}, {"ca_key", std::string(view(caKey))},
                      {"ca_cert", s.caCertPem},     {"app_keys", std::move(keys)},
                      {"secrets", std::move(secrets)}};
}

Result<policy::SecretKind> kindFromName(std::string_view name) {
  for (auto k : {policy::SecretKind::kAes256, policy::SecretKind::kRandom, policy::SecretKind::kX509,
                 policy::SecretKind::kImported, policy::SecretKind::kSupplied}) {
    if (name == policy::secretKindName(k)) return k;
  }
  return fail("kms.state_corrupt", "unknown secret kind");
}

Result<SessionState> decodeSession(const json::object& o) {
  SessionState s;
  for (const auto& h : o.at("history").as_array()) {
    const auto& v = h.as_object();
    s.history.push_back(VersionRecord{json::value_to<std::string>(v.at("hash")), v.at("version").to_number<uint64_t>(),
                                      json::value_to<std::string>(v.at("yaml")),
                                      json::value_to<std::string>(v.at("signature")),
                                      json::value_to<std::string>(v.at("signer")),
                                      v.at("applied_ms").to_number<int64_t>()});
  }
  if (s.history.empty()) return fail("kms.state_corrupt", "session without history");
  auto parsed = policy::parsePolicy(s.history.back().yaml);
  if (!parsed) return fail("kms.state_corrupt", "stored policy no longer parses: " + parsed.error().str());
  s.current = std::move(*parsed);
  std::string caKeyPem = json::value_to<std::string>(o.at("ca_key"));
  auto caKey = crypto::EcPrivateKey::fromPem(caKeyPem);
  wipe(caKeyPem);
  if (!caKey) return fail("kms.state_corrupt", "session CA key");
  s.caKey = std::move(*caKey);
  s.caCertPem = json::value_to<std::string>(o.at("ca_cert"));
  auto chain = crypto::Certificate::chainFromPem(s.caCertPem);
  if (!chain || chain->size() != 1) return fail("kms.state_corrupt", "session CA certificate");
  s.caCert = (*chain)[0];
  for (const auto& k : o.at("app_keys").as_array()) {
    const auto& ko = k.as_object();
    auto key = base64UrlDecode(ko.at("key").as_string());
    if (!key) return fail("kms.state_corrupt", "application key");
    s.appKeys.push_back(AppKey{ko.at("version").to_number<uint32_t>(), secretFrom(*key), ko.at("created_ms").to_number<int64_t>()});
    wipe(*key);
  }
  for (const auto& [name, v] : o.at("secrets").as_object()) {
    const auto& so = v.as_object();
    auto kind = kindFromName(so.at("kind").as_string());
    auto value = base64UrlDecode(so.at("value").as_string());
    if (!kind || !value) return fail("kms.state_corrupt", "secret " + std::string(name));
    s.secrets[std::string(name)] = StoredSecret{*kind, secretFrom(*value), json::value_to<std::string>(so.at("cert"))};
    wipe(*value);
  }
  return s;
}

}  // namespace

crypto::SecretBytes encodeState(const KmsState& state) {
  json::object sessions;
  for (const auto& [name, s] : state.sessions) sessions[name] = encodeSession(s);
  json::array hashes;
  for (const auto& h : state.hashes) hashes.push_back(json::string(h));
  crypto::SecretBytes tlsKey = state.tlsKey ? state.tlsKey->toPem() : crypto::SecretBytes();
  json::object root{{"format", 1},
                    {"sessions", std::move(sessions)},
                    {"hashes", std::move(hashes)},
                    {"tls_key", std::string(view(tlsKey))},
                    {"tls_cert", state.tlsCertPem}};
  std::string text = json::serialize(root);
  crypto::SecretBytes out = secretFrom(text);
  wipe(text);
  return out;
}

Result<KmsState> decodeState(std::string_view text) {
  try {
    json::value root = json::parse(text);
    const auto& o = root.as_object();
    if (o.at("format").to_number<int>() != 1) return fail("kms.state_corrupt", "unknown state format");
    KmsState state;
    for (const auto& h : o.at("hashes").as_array()) state.hashes.insert(json::value_to<std::string>(h));
    for (const auto& [name, s] : o.at("sessions").as_object()) {
      auto session = decodeSession(s.as_object());
      if (!session) return std::unexpected(session.error());
      state.sessions[std::string(name)] = std::move(*session);
    }
    std::string tlsKey = json::value_to<std::string>(o.at("tls_key"));
    if (!tlsKey.empty()) {
      auto key = crypto::EcPrivateKey::fromPem(tlsKey);
      wipe(tlsKey);
      if (!key) return fail("kms.state_corrupt", "TLS key");
      state.tlsKey = std::move(*key);
    }
    state.tlsCertPem = json::value_to<std::string>(o.at("tls_cert"));
    return state;
  } catch (const std::exception& e) {
    return fail("kms.state_corrupt", e.what());
  }
}

}  // namespace clemmys::kms
