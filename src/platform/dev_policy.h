// The development session policy `clemmys up` keeps applied to its KMS: the owner
// key and client credentials under <data>/owner/ (created on first start, 0600),
// the policy text (sim evidence tolerated, exact gateway and runtime measurements,
// the `@gateway` entry with CLIENT_AUTH, the `client-auth` secret, plus any extra
// functions/secrets a caller such as `clemmys demo` adds), and idempotent applying:
// a restart with the same measurements applies nothing; a change is applied as a
// signed update naming the current version's hash.
// Thread safety: plain functions; callers serialise use of one data directory.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "common/random.h"
#include "crypto/ec_key.h"
#include "http/client.h"

namespace clemmys::platform {

struct PolicyInputs {
  std::string session = "dev";
  std::string ownerPublicPem;
  std::vector<std::string> gatewayMeasurements;
  std::vector<std::string> runtimeMeasurements;
  std::vector<std::string> evidence = {"sim"};  // evidence types the services may present
  std::string clientAuth;          // "uuid:key" the gateway will accept
  std::string extraFunctionsYaml;  // lines indented by 2, under `functions:`
  std::string extraSecretsYaml;    // lines "  - {...}", under `secrets:`
};

// Everything of the document except name/version/predecessor.
std::string policyBody(const PolicyInputs& in);

// <dir>/owner.pem (+ owner.pub.pem), created when missing. Error: platform.owner_key.
Result<crypto::EcPrivateKey> loadOrCreateOwnerKey(const std::string& dir);
// <dir>/client-auth holding "uuid:key", created when missing. Error: platform.io.
Result<std::string> loadOrCreateClientAuth(const std::string& dir, Random& random);

struct AppliedPolicy {
  std::string hash;
  int64_t version = 0;
  bool changed = false;  // false: the KMS already had exactly this body
};

// Makes the session's current version carry `body`. The last applied body's digest
// is kept in <dir>/<session>.applied next to the KMS hash it produced.
// Errors: the KMS's policy.* / kms.* refusals, http.*, platform.io.
Result<AppliedPolicy> ensurePolicy(http::Client& kms, const std::string& dir,
                                   const crypto::EcPrivateKey& owner, const std::string& session,
                                   const std::string& body);

// Small file helpers (atomic 0600 write; whole-file read).
Result<std::string> readTextFile(const std::string& path);
Status writePrivateFile(const std::string& path, const std::string& text);

}  // namespace clemmys::platform
