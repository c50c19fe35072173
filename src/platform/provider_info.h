// `provider.json` (doc/formats/provider-info.md): what `clemmys up --provider` tells
// its owner — the session, where the KMS and the gateway listen, and for each of the
// KMS, gateway and runtime the exact argv, root manifest text and measurement it
// launches. Written by the provider, read and checked by `clemmys owner verify-kms`;
// nothing in it is trusted before that check.
// Thread safety: plain values and pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace clemmys::platform {

inline constexpr char kProviderInfoFormat[] = "clemmys-provider v1";
inline constexpr size_t kMaxProviderInfoBytes = 16u << 20;

struct LaunchDescription {
  std::vector<std::string> argv;  // argv[0]: the provider's path (not measured)
  std::string manifest;           // the root manifest's text (its digest is measured)
  std::string measurement;        // hex, as the provider computed it
};

struct ProviderInfo {
  std::string session;
  std::string kmsUrl, gatewayUrl;
  std::string evidenceType = "sim";
  std::string simRootPem;  // only with sim
  LaunchDescription kms, gateway, runtime;
};

std::string providerInfoJson(const ProviderInfo& info);
// Error: owner.bad_provider_info (not JSON, over the size limit, a missing, mistyped
// or unknown field, another format).
Result<ProviderInfo> parseProviderInfo(std::string_view json);

// The value following `flag` in argv ("--session" -> "main"), or "" when absent.
std::string argValue(const std::vector<std::string>& argv, const std::string& flag);

}  // namespace clemmys::platform
