// Policy: one version of an owner-signed session policy (DESIGN.md §6,
// doc/formats/policy.md), parsed strictly from YAML, plus its canonical
// serialisation and hash. Plain value types; parsing is pure and thread-safe.
//
// Errors (policy.*): yaml_syntax, unknown_key, duplicate_key, missing_field,
// bad_type, bad_value, bad_name, bad_measurement, bad_owner_key, bad_secret,
// duplicate_secret, unknown_secret.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "crypto/bytes.h"

namespace clemmys::policy {

// TD report fields a TDX service pins beyond MRTD; unset fields are not
// checked. Lowercase hex of 48 bytes each.
struct TdxPolicy {
  std::array<std::optional<std::string>, 4> rtmr;  // RTMR0..RTMR3
  std::optional<std::string> mrConfigId;
  std::optional<std::string> mrOwner;
};

struct ServicePolicy {
  std::vector<std::string> measurements;  // lowercase hex
  std::optional<std::string> signer;      // lowercase hex (MRSIGNER)
  uint32_t product = 0;
  uint32_t minSvn = 0;
  std::vector<std::string> evidence;      // tolerated types: sgx, tdx, snp, sim
  std::vector<std::string> tcbStatus;     // tolerated TCB statuses (hardware evidence)
  std::optional<TdxPolicy> tdx;           // TDX evidence only
};

// The TCB status names a policy may list (doc/formats/policy.md).
bool knownTcbStatus(std::string_view status);

struct FunctionPolicy {
  std::map<std::string, std::string> env;
  std::vector<std::string> argv;
  std::map<std::string, std::string> files;  // path -> content
  std::vector<std::string> pinnedDigests;    // lowercase hex SHA-256 code digests
};

enum class SecretKind { kAes256, kRandom, kX509, kImported, kSupplied };
const char* secretKindName(SecretKind kind);

struct SecretSpec {
  std::string name;
  SecretKind kind = SecretKind::kRandom;
  uint32_t size = 32;                     // bytes, for random
  std::string fromSession;                // imported: source session (same secret name)
  std::optional<std::string> value;       // supplied: the value itself
  std::vector<std::string> exportTo;      // sessions allowed to import this secret
};

inline constexpr uint32_t kDefaultMessageLifetimeS = 300;
inline constexpr uint32_t kMaxMessageLifetimeS = 3600;

struct Policy {
  std::string name;
  uint64_t version = 0;
  std::optional<std::string> predecessor;  // lowercase hex SHA-256
  // Lifetime of every sealed message of the session (doc/formats/policy.md);
  // absent: kDefaultMessageLifetimeS.
  std::optional<uint32_t> messageLifetimeS;
  std::vector<crypto::Bytes> owners;       // SubjectPublicKeyInfo DER, P-256
  std::map<std::string, ServicePolicy> services;
  std::map<std::string, FunctionPolicy> functions;
  std::vector<SecretSpec> secrets;

  const SecretSpec* findSecret(std::string_view name) const;
  uint32_t messageLifetimeSeconds() const { return messageLifetimeS.value_or(kDefaultMessageLifetimeS); }
};

Result<Policy> parsePolicy(std::string_view yaml);

// The signed and hashed form: "clemmys-policy-v1\n" followed by canonical JSON
// of the parsed policy (object keys sorted, set-like lists sorted, no
// whitespace). Independent of YAML formatting, key order and PEM line breaks.
std::string canonicalBytes(const Policy& policy);
// Lowercase hex SHA-256 of canonicalBytes().
std::string policyHash(const Policy& policy);

}  // namespace clemmys::policy
