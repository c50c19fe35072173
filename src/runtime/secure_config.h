// What a secure runtime takes from the configuration the KMS releases to it
// (doc/formats/kms-api.md, POST /v1/attest): application keys and — when asked for
// one function — that function's env, argv, files (secrets already resolved by the
// KMS) and pinned code digests.
//
// KeySource is where released configurations come from: the KMS over attested
// TLS in production (runtime/kms_key_source.h), anything that yields the same JSON
// in tests. Every fetch is a fresh attestation.
// Thread safety: the parsing functions are pure; a KeySource is used by one
// thread at a time (the secure proxy serialises /init and /run).
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "envelope/sealer.h"
#include "runtime/activation.h"

namespace clemmys::runtime {

class KeySource {
 public:
  virtual ~KeySource() = default;
  // The released configuration of service "runtime"; with `function`, also that
  // function's env/argv/files. Errors: whatever attestation or the KMS said.
  virtual Result<boost::json::object> fetch(const std::optional<std::string>& function) = 0;
};

// Adds every {"version","key"} of config.keys to `ring`.
// Error: runtime.bad_config (missing or malformed keys; a key that is not 32 bytes).
Status loadKeys(const boost::json::object& config, envelope::KeyRing& ring);

// The session's message lifetime, config.message_lifetime_ms (1 s .. kMaxLifetimeMs).
// Error: runtime.bad_config (missing or out of range: no default on this side).
Result<int64_t> messageLifetimeMs(const boost::json::object& config);

struct FunctionConfig {
  EnvVars env;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> files;  // path (as in the policy), content
  std::vector<std::string> pinnedDigests;                  // lowercase hex
};

// The function part of a configuration fetched for one function.
// Error: runtime.bad_config.
Result<FunctionConfig> functionConfig(const boost::json::object& config);

}  // namespace clemmys::runtime
