// What the gateway takes from its released configuration (doc/formats/kms-api.md,
// the `gateway` service): application keys, the TLS certificate the session CA
// issued for the gateway's key, the session CA, and the client credentials.
// The configuration JSON holds secrets: callers drop it after loadReleasedConfig.
// Thread safety: plain values; the KeyRing is filled once before serving.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "common/error.h"
#include "envelope/sealer.h"

namespace clemmys::gateway {

// The policy entry under `functions:` whose env carries the client credentials
// while the KMS has no dedicated field for them (doc/gateway.md).
inline constexpr const char* kConfigEntry = "@gateway";
inline constexpr const char* kClientAuthEnv = "CLIENT_AUTH";

struct GatewayIdentity {
  uint32_t keyVersion = 0;            // current key version (sealing)
  std::string tlsCertificatePem;      // leaf, issued by the session CA
  std::string sessionCaPem;
  std::vector<std::string> clientCredentials;  // "uuid:key", at least one
  int64_t messageLifetimeMs = 0;      // the session's message_lifetime_s (policy), in ms
};

// Fills `keys` and returns the rest. Client credentials come from
// `client_credentials` (list of "uuid:key") when the KMS releases that field,
// else from env CLIENT_AUTH of the `@gateway` entry (comma-separated).
// `message_lifetime_ms` is required (1 s .. envelope::kMaxLifetimeMs): expiries come
// from the owner's policy only.
// Errors: gateway.bad_config (field missing or malformed),
// gateway.no_client_credentials.
Result<GatewayIdentity> loadReleasedConfig(const boost::json::object& config, envelope::KeyRing& keys);

// "uuid:key" strings accepted (each must contain ':' with non-empty sides).
Result<std::vector<std::string>> parseCredentials(std::string_view list);

}  // namespace clemmys::gateway
