#include "simtee/installation.h"

#include <openssl/rand.h>

#include "crypto/cert_issuer.h"
#include "simtee/state_files.h"

namespace clemmys::simtee {
namespace {

constexpr int64_t kValiditySeconds = 20LL * 365 * 24 * 3600;

crypto::Bytes randomSerial() {
  crypto::Bytes s(16);
  RAND_bytes(s.data(), static_cast<int>(s.size()));
  s[0] = static_cast<uint8_t>((s[0] & 0x7f) | 0x01);  // positive and non-zero
  return s;
}

crypto::CertSpec spec(const std::string& cn, bool ca, int64_t now) {
  crypto::CertSpec s;
  s.commonName = cn;
  s.isCa = ca;
  s.notBefore = now - 3600;  // tolerate small clock differences between hosts
  s.notAfter = now + kValiditySeconds;
  s.serial = randomSerial();
  return s;
}

Status writeKey(const std::string& path, const crypto::EcPrivateKey& key) {
  crypto::SecretBytes pem = key.toPem();
  return writeFileAtomic(path, std::string_view(reinterpret_cast<const char*>(pem.data()), pem.size()));
}

Status create(const std::string& dir, const Clock& clock) {
  int64_t now = clock.nowMs() / 1000;
  auto root = crypto::EcPrivateKey::generateP256();
  auto inter = crypto::EcPrivateKey::generateP256();
  auto pck = crypto::EcPrivateKey::generateP256();
  auto att = crypto::EcPrivateKey::generateP256();
  if (!root || !inter || !pck || !att) return fail("simtee.keygen_failed", "P-256 key generation failed");
  auto rootCert = crypto::issueSelfSigned(*root, spec("Clemmys Simulated SGX Root CA", true, now));
  if (!rootCert) return std::unexpected(rootCert.error());
  auto interCert =
      crypto::issueCertificate(*root, *rootCert, inter->publicKey(), spec("Clemmys Simulated SGX PCK Platform CA", true, now));
  if (!interCert) return std::unexpected(interCert.error());
  auto pckCert =
      crypto::issueCertificate(*inter, *interCert, pck->publicKey(), spec("Clemmys Simulated SGX PCK Certificate", false, now));
  if (!pckCert) return std::unexpected(pckCert.error());
  crypto::SecretBytes secret(32);
  if (RAND_bytes(secret.data(), 32) != 1) return fail("simtee.keygen_failed", "no randomness for the platform secret");

  for (auto [name, key] : {std::pair{"root.key", &*root}, {"intermediate.key", &*inter}, {"pck.key", &*pck},
                           {"attestation.key", &*att}}) {
    if (auto st = writeKey(dir + "/" + name, *key); !st) return st;
  }
  for (auto [name, cert] : {std::pair{"root.pem", &*rootCert}, {"intermediate.pem", &*interCert}, {"pck.pem", &*pckCert}}) {
    if (auto st = writeFileAtomic(dir + "/" + name, crypto::certificatePem(*cert)); !st) return st;
  }
  auto secretView = std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size());
  if (auto st = writeFileAtomic(dir + "/platform.secret", secretView); !st) return st;
  return writeFileAtomic(dir + "/installation.done", "1\n");
}

Result<crypto::EcPrivateKey> loadKey(const std::string& path) {
  auto pem = readFile(path);
  if (!pem) return std::unexpected(pem.error());
  auto key = crypto::EcPrivateKey::fromPem(*pem);
  std::fill(pem->begin(), pem->end(), '\0');
  if (!key) return fail("simtee.state_corrupt", path + ": " + key.error().str());
  return key;
}

Result<std::pair<crypto::Certificate, std::string>> loadCert(const std::string& path) {
  auto pem = readFile(path);
  if (!pem) return std::unexpected(pem.error());
  auto chain = crypto::Certificate::chainFromPem(*pem);
  if (!chain || chain->size() != 1) return fail("simtee.state_corrupt", path + " is not one PEM certificate");
  return std::pair{chain->front(), *pem};
}

}  // namespace

Result<Installation> loadOrCreateInstallation(const std::string& dir, const Clock& clock) {
  if (auto st = ensurePrivateDirectory(dir); !st) return std::unexpected(st.error());
  if (!fileExists(dir + "/installation.done")) {
    if (auto st = create(dir, clock); !st) return std::unexpected(st.error());
  }
  auto root = loadKey(dir + "/root.key");
  auto inter = loadKey(dir + "/intermediate.key");
  auto pck = loadKey(dir + "/pck.key");
  auto att = loadKey(dir + "/attestation.key");
  for (auto* k : {&root, &inter, &pck, &att}) {
    if (!*k) return std::unexpected(k->error());
  }
  auto rootCert = loadCert(dir + "/root.pem");
  auto interCert = loadCert(dir + "/intermediate.pem");
  auto pckCert = loadCert(dir + "/pck.pem");
  for (auto* c : {&rootCert, &interCert, &pckCert}) {
    if (!*c) return std::unexpected(c->error());
  }
  auto secret = readFile(dir + "/platform.secret");
  if (!secret) return std::unexpected(secret.error());
  if (secret->size() != 32) return fail("simtee.state_corrupt", "platform.secret is not 32 bytes");
  crypto::SecretBytes platformSecret(crypto::asBytes(*secret));
  std::fill(secret->begin(), secret->end(), '\0');
  // The files must still form one chain: a key swapped on disk is corruption, not a new identity.
  auto chain = crypto::Certificate::chainFromPem(pckCert->second + interCert->second + rootCert->second);
  if (!chain || !crypto::verifyChain(*chain, rootCert->first.publicKey().spkiDer(), std::nullopt) ||
      pckCert->first.publicKey().spkiDer() != pck->publicKey().spkiDer()) {
    return fail("simtee.state_corrupt", "PCK chain in " + dir + " does not verify or does not match pck.key");
  }
  return Installation{std::move(*root), std::move(*inter), std::move(*pck), std::move(*att),
                      rootCert->first, interCert->first, pckCert->first, std::move(platformSecret),
                      rootCert->second, interCert->second, pckCert->second};
}

}  // namespace clemmys::simtee
