// The KMS's in-memory state (what SealedStore persists): per session the
// policy history, the session CA, versioned application keys and generated
// secrets; across sessions every policy hash ever accepted; the KMS's own TLS
// identity. Serialised as JSON (doc/kms.md, "State"). Secret material lives in
// SecretBytes or EcPrivateKey and is only ever written into the sealed store.
// Thread safety: none (SessionManager guards it).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.h"
#include "crypto/ec_key.h"
#include "crypto/secret_bytes.h"
#include "crypto/x509.h"
#include "policy/policy.h"

namespace clemmys::kms {

struct VersionRecord {
  std::string hash;
  uint64_t version = 0;
  std::string yaml;        // as the owner submitted it (may hold supplied secrets)
  std::string signature;   // base64url DER ECDSA
  std::string signerHex;   // SHA-256 of the signing owner's SPKI
  int64_t appliedMs = 0;
};

struct AppKey {
  uint32_t version = 0;
  crypto::SecretBytes key;  // 32 bytes
  int64_t createdMs = 0;
};

struct StoredSecret {
  policy::SecretKind kind = policy::SecretKind::kRandom;
  crypto::SecretBytes value;  // bytes; x509: private key PEM; supplied: the value
  std::string certPem;        // x509 only
};

struct SessionState {
  std::vector<VersionRecord> history;  // oldest first; back() is current
  policy::Policy current;              // parsed history.back().yaml
  std::optional<crypto::EcPrivateKey> caKey;
  std::optional<crypto::Certificate> caCert;
  std::string caCertPem;
  std::vector<AppKey> appKeys;  // ascending versions
  std::map<std::string, StoredSecret> secrets;
};

struct KmsState {
  std::map<std::string, SessionState> sessions;
  std::set<std::string> hashes;  // every policy hash ever accepted
  std::optional<crypto::EcPrivateKey> tlsKey;
  std::string tlsCertPem;
};

// Errors: kms.state_corrupt.
Result<KmsState> decodeState(std::string_view json);
crypto::SecretBytes encodeState(const KmsState& state);

}  // namespace clemmys::kms
