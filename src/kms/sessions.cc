#include "kms/sessions.h"

#include <boost/json.hpp>

#include <mutex>

#include "common/encoding.h"
#include "crypto/cert_issuer.h"
#include "crypto/digest.h"
#include "kms/protocol.h"
#include "policy/references.h"
#include "policy/update.h"

namespace clemmys::kms {
namespace {

namespace json = boost::json;

constexpr int64_t kCaValiditySeconds = 10LL * 365 * 24 * 3600;
constexpr int64_t kLeafValiditySeconds = 30LL * 24 * 3600;

SessionState cloneSession(const SessionState& s) {
  SessionState c;
  c.history = s.history;
  c.current = s.current;
  c.caKey = s.caKey;
  c.caCert = s.caCert;
  c.caCertPem = s.caCertPem;
  for (const auto& k : s.appKeys) c.appKeys.push_back(AppKey{k.version, k.key.clone(), k.createdMs});
  for (const auto& [n, v] : s.secrets) c.secrets[n] = StoredSecret{v.kind, v.value.clone(), v.certPem};
  return c;
}

std::string hexOf(const crypto::SecretBytes& s) { return toHex(s.view()); }

std::string asString(const crypto::SecretBytes& s) {
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

}  // namespace

SessionManager::SessionManager(KmsState state, SealedStore& store, Random& random, const Clock& clock)
    : state_(std::move(state)), store_(store), random_(random), clock_(clock) {}

Status SessionManager::persistLocked() { return store_.save(asString(encodeState(state_))); }

Status SessionManager::generateSecrets(SessionState& session, const policy::Policy& p) {
  std::map<std::string, StoredSecret> next;
  int64_t now = clock_.nowMs() / 1000;
  for (const auto& spec : p.secrets) {
    auto old = session.secrets.find(spec.name);
    bool keep = old != session.secrets.end() && old->second.kind == spec.kind &&
                (spec.kind != policy::SecretKind::kRandom || old->second.value.size() == spec.size);
    if (spec.kind == policy::SecretKind::kImported) continue;  // resolved from the source at release
    if (spec.kind == policy::SecretKind::kSupplied) {
      next[spec.name] = StoredSecret{spec.kind, crypto::SecretBytes(crypto::asBytes(*spec.value)), ""};
      continue;
    }
    if (keep) {
      next[spec.name] = std::move(old->second);
      continue;
    }
    StoredSecret s{spec.kind, {}, ""};
    if (spec.kind == policy::SecretKind::kX509) {
      auto key = crypto::EcPrivateKey::generateP256();
      if (!key) return std::unexpected(key.error());
      crypto::Bytes serial(16);
      random_.fill(serial.data(), serial.size());
      serial[0] |= 1;
      auto cert = crypto::issueCertificate(*session.caKey, *session.caCert, key->publicKey(),
                                           crypto::CertSpec{spec.name, {}, now - 300, now + kCaValiditySeconds, false, serial});
      if (!cert) return std::unexpected(cert.error());
      s.value = key->toPem();
      s.certPem = crypto::certificatePem(*cert);
    } else {
      s.value = crypto::SecretBytes(spec.kind == policy::SecretKind::kAes256 ? 32 : spec.size);
      random_.fill(s.value.data(), s.value.size());
    }
    next[spec.name] = std::move(s);
  }
  session.secrets = std::move(next);
  return {};
}

Result<Applied> SessionManager::apply(std::string_view yaml, crypto::ByteView signature, std::string_view urlName) {
  auto parsed = policy::parsePolicy(yaml);
  if (!parsed) return std::unexpected(parsed.error());
  if (!urlName.empty() && urlName != parsed->name) {
    return fail("policy.name_mismatch", "policy '" + parsed->name + "' posted to session '" + std::string(urlName) + "'");
  }
  std::string hash = policy::policyHash(*parsed);
  std::unique_lock lock(mu_);
  auto it = state_.sessions.find(parsed->name);
  policy::CurrentVersion current;
  if (it != state_.sessions.end()) current = {&it->second.current, it->second.history.back().hash};
  auto signer = policy::checkUpdate(current, *parsed, hash, signature, state_.hashes);
  if (!signer) return std::unexpected(signer.error());
  const auto& owners = current.policy != nullptr ? current.policy->owners : parsed->owners;
  int64_t nowMs = clock_.nowMs();

  bool isNew = it == state_.sessions.end();
  SessionState next = isNew ? SessionState{} : cloneSession(it->second);
  if (isNew) {
    auto caKey = crypto::EcPrivateKey::generateP256();
    if (!caKey) return std::unexpected(caKey.error());
    crypto::Bytes serial(16);
    random_.fill(serial.data(), serial.size());
    serial[0] |= 1;
    int64_t now = nowMs / 1000;
    auto ca = crypto::issueSelfSigned(*caKey, crypto::CertSpec{"Clemmys session CA " + parsed->name, {}, now - 300,
                                                               now + kCaValiditySeconds, true, serial});
    if (!ca) return std::unexpected(ca.error());
    next.caKey = std::move(*caKey);
    next.caCert = *ca;
    next.caCertPem = crypto::certificatePem(*ca);
    AppKey key{1, crypto::SecretBytes(32), nowMs};
    random_.fill(key.key.data(), key.key.size());
    next.appKeys.push_back(std::move(key));
  }
  if (auto st = generateSecrets(next, *parsed); !st) return std::unexpected(st.error());
  next.history.push_back(VersionRecord{hash, parsed->version, std::string(yaml),
                                       base64UrlEncode(std::string_view(reinterpret_cast<const char*>(signature.data()),
                                                                        signature.size())),
                                       toHex(crypto::sha256(owners[*signer])), nowMs});
  next.current = *parsed;

  std::string name = parsed->name;
  std::swap(state_.sessions[name], next);
  state_.hashes.insert(hash);
  if (auto st = persistLocked(); !st) {
    state_.hashes.erase(hash);
    if (isNew) {
      state_.sessions.erase(name);
    } else {
      std::swap(state_.sessions[name], next);
    }
    return std::unexpected(st.error());
  }
  return Applied{hash, parsed->version};
}

Result<json::object> SessionManager::describe(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = state_.sessions.find(std::string(name));
  if (it == state_.sessions.end()) return fail("kms.unknown_session", "no session '" + std::string(name) + "'");
  const auto& s = it->second;
  const auto& p = s.current;
  json::array owners;
  for (const auto& o : p.owners) {
    if (auto key = crypto::PublicKey::fromSpkiDer(o)) owners.push_back(json::string(crypto::publicKeyPem(*key)));
  }
  json::object services;
  for (const auto& [n, sv] : p.services) {
    json::object o{{"measurements", json::value_from(sv.measurements)},
                   {"evidence", json::value_from(sv.evidence)},
                   {"tcb_status", json::value_from(sv.tcbStatus)}};
    if (sv.signer) {
      o["signer"] = *sv.signer;
      o["product"] = sv.product;
      o["min_svn"] = sv.minSvn;
    }
    if (sv.tdx) {
      json::object t;
      for (size_t i = 0; i < sv.tdx->rtmr.size(); ++i) {
        if (sv.tdx->rtmr[i]) t["rtmr" + std::to_string(i)] = *sv.tdx->rtmr[i];
      }
      if (sv.tdx->mrConfigId) t["mrconfigid"] = *sv.tdx->mrConfigId;
      if (sv.tdx->mrOwner) t["mrowner"] = *sv.tdx->mrOwner;
      o["tdx"] = std::move(t);
    }
    services[n] = std::move(o);
  }
  json::object functions;
  for (const auto& [fqn, f] : p.functions) {
    json::array envKeys, paths;
    for (const auto& [k, v] : f.env) envKeys.push_back(json::string(k));
    for (const auto& [path, c] : f.files) paths.push_back(json::string(path));
    functions[fqn] = json::object{{"env_keys", envKeys},
                                  {"argc", f.argv.size()},
                                  {"files", paths},
                                  {"pinned_digests", json::value_from(f.pinnedDigests)}};
  }
  json::array secrets;
  for (const auto& sp : p.secrets) {
    json::object o{{"name", sp.name}, {"kind", policy::secretKindName(sp.kind)}};
    if (sp.kind == policy::SecretKind::kImported) o["from_session"] = sp.fromSession;
    if (!sp.exportTo.empty()) o["export"] = json::value_from(sp.exportTo);
    secrets.push_back(std::move(o));
  }
  json::array keyVersions;
  for (const auto& k : s.appKeys) keyVersions.push_back(k.version);
  const auto& head = s.history.back();
  json::object out{{"name", p.name},         {"version", p.version},      {"hash", head.hash},
                   {"owners", owners},       {"services", services},      {"functions", functions},
                   {"secrets", secrets},     {"key_versions", keyVersions}, {"session_ca_pem", s.caCertPem},
                   {"applied_ms", head.appliedMs}};
  out["predecessor"] = p.predecessor ? json::value(*p.predecessor) : json::value(nullptr);
  return out;
}

Result<json::array> SessionManager::history(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = state_.sessions.find(std::string(name));
  if (it == state_.sessions.end()) return fail("kms.unknown_session", "no session '" + std::string(name) + "'");
  json::array out;
  std::string prev;
  for (const auto& v : it->second.history) {
    json::object o{{"version", v.version}, {"hash", v.hash}, {"signer", v.signerHex}, {"applied_ms", v.appliedMs}};
    o["predecessor"] = prev.empty() ? json::value(nullptr) : json::value(prev);
    prev = v.hash;
    out.push_back(std::move(o));
  }
  return out;
}

Result<uint32_t> SessionManager::rotate(std::string_view name, crypto::ByteView signature) {
  std::unique_lock lock(mu_);
  auto it = state_.sessions.find(std::string(name));
  if (it == state_.sessions.end()) return fail("kms.unknown_session", "no session '" + std::string(name) + "'");
  auto& s = it->second;
  uint32_t next = s.appKeys.back().version + 1;
  std::string message = rotateMessage(name, s.history.back().hash, next);
  auto signer = policy::findSigner(s.current.owners, crypto::asBytes(message), signature);
  if (!signer) return std::unexpected(signer.error());
  AppKey key{next, crypto::SecretBytes(32), clock_.nowMs()};
  random_.fill(key.key.data(), key.key.size());
  s.appKeys.push_back(std::move(key));
  if (auto st = persistLocked(); !st) {
    s.appKeys.pop_back();
    return std::unexpected(st.error());
  }
  return next;
}

Result<policy::ServicePolicy> SessionManager::servicePolicy(std::string_view session, std::string_view service) const {
  std::shared_lock lock(mu_);
  auto it = state_.sessions.find(std::string(session));
  if (it == state_.sessions.end()) return fail("kms.unknown_session", "no session '" + std::string(session) + "'");
  auto sv = it->second.current.services.find(std::string(service));
  if (sv == it->second.current.services.end()) {
    return fail("kms.unknown_service", "session has no service '" + std::string(service) + "'");
  }
  return sv->second;
}

Result<std::string> SessionManager::renderSecret(const SessionState& session, const policy::SecretRef& ref) const {
  const policy::SecretSpec* spec = session.current.findSecret(ref.name);
  if (spec == nullptr) return fail("policy.unknown_secret", ref.name);
  const SessionState* owner = &session;
  if (spec->kind == policy::SecretKind::kImported) {
    auto src = state_.sessions.find(spec->fromSession);
    if (src == state_.sessions.end()) return fail("kms.import_refused", "source session '" + spec->fromSession + "' missing");
    const policy::SecretSpec* srcSpec = src->second.current.findSecret(ref.name);
    bool exported = srcSpec != nullptr && srcSpec->kind != policy::SecretKind::kImported &&
                    std::find(srcSpec->exportTo.begin(), srcSpec->exportTo.end(), session.current.name) !=
                        srcSpec->exportTo.end();
    if (!exported) {
      return fail("kms.import_refused", "session '" + spec->fromSession + "' does not export '" + ref.name + "' to '" +
                                            session.current.name + "'");
    }
    owner = &src->second;
    spec = srcSpec;
  }
  auto stored = owner->secrets.find(ref.name);
  if (stored == owner->secrets.end()) return fail("kms.import_refused", "secret '" + ref.name + "' has no value");
  switch (spec->kind) {
    case policy::SecretKind::kX509:
      return ref.privateKey ? asString(stored->second.value) : stored->second.certPem;
    case policy::SecretKind::kSupplied:
      return asString(stored->second.value);
    default:
      return hexOf(stored->second.value);
  }
}

Result<ReleaseMaterial> SessionManager::material(std::string_view session, std::string_view service,
                                                 const std::string* function) const {
  std::shared_lock lock(mu_);
  auto it = state_.sessions.find(std::string(session));
  if (it == state_.sessions.end()) return fail("kms.unknown_session", "no session '" + std::string(session) + "'");
  const auto& s = it->second;
  auto sv = s.current.services.find(std::string(service));
  if (sv == s.current.services.end()) return fail("kms.unknown_service", std::string(service));
  ReleaseMaterial m;
  m.policyHash = s.history.back().hash;
  m.policyVersion = s.current.version;
  m.messageLifetimeMs = int64_t{s.current.messageLifetimeSeconds()} * 1000;
  m.service = sv->second;
  for (const auto& k : s.appKeys) m.keys.emplace_back(k.version, k.key.clone());
  m.caCertPem = s.caCertPem;
  for (const auto& [fqn, f] : s.current.functions) m.functionDigests[fqn] = json::value_from(f.pinnedDigests);
  if (function != nullptr) {
    auto f = s.current.functions.find(*function);
    if (f == s.current.functions.end()) return fail("kms.unknown_function", "no function '" + *function + "' in policy");
    policy::SecretLookup lookup = [&](const policy::SecretRef& ref) { return renderSecret(s, ref); };
    for (const auto& [k, v] : f->second.env) {
      auto r = policy::resolveReferences(v, lookup);
      if (!r) return std::unexpected(r.error());
      m.env[k] = *r;
    }
    for (const auto& a : f->second.argv) {
      auto r = policy::resolveReferences(a, lookup);
      if (!r) return std::unexpected(r.error());
      m.argv.push_back(json::string(*r));
    }
    for (const auto& [path, content] : f->second.files) {
      auto r = policy::resolveReferences(content, lookup);
      if (!r) return std::unexpected(r.error());
      m.files[path] = *r;
    }
    m.pinnedDigests = json::value_from(f->second.pinnedDigests).as_array();
  }
  return m;
}

Result<std::string> SessionManager::issueServiceCertificate(std::string_view session, std::string_view service,
                                                            const crypto::PublicKey& key,
                                                            const std::vector<std::string>& names) const {
  if (!crypto::isP256(key)) return fail("kms.bad_request", "TLS public key must be P-256");
  crypto::Bytes serial(16);
  random_.fill(serial.data(), serial.size());
  serial[0] |= 1;
  int64_t now = clock_.nowMs() / 1000;
  std::shared_lock lock(mu_);
  auto it = state_.sessions.find(std::string(session));
  if (it == state_.sessions.end()) return fail("kms.unknown_session", std::string(session));
  auto cert = crypto::issueCertificate(
      *it->second.caKey, *it->second.caCert, key,
      crypto::CertSpec{std::string(session) + " " + std::string(service), names, now - 300, now + kLeafValiditySeconds,
                       false, serial});
  if (!cert) return std::unexpected(cert.error());
  return crypto::certificatePem(*cert);
}

}  // namespace clemmys::kms
