// The owner's own additions to the development session policy of `clemmys up`
// (`--policy FILE`): a YAML document with only `functions:` (fqn -> settings) and
// `secrets:` (a list), in the format of doc/formats/policy.md. They are merged into
// the policy `clemmys up` keeps applied, so functions of the dev platform get env,
// argv, files, secrets and pinned digests without hand-written policy updates; the
// KMS validates the merged document strictly (policy.* errors).
// Thread safety: a plain function.
#pragma once

#include <string>

#include "common/error.h"

namespace clemmys::platform {

struct PolicyAdditions {
  std::string functionsYaml;  // lines indented by 2, under `functions:`
  std::string secretsYaml;    // lines "  - {...}", under `secrets:`
};

// Errors: platform.bad_policy_additions (not YAML, a key other than functions/secrets,
// wrong shapes, or a name `clemmys up` manages itself: the `@gateway` function and
// the `client-auth` secret).
Result<PolicyAdditions> parsePolicyAdditions(const std::string& yaml);

}  // namespace clemmys::platform
