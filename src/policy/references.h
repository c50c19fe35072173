// Secret references inside a policy's env values, argv entries and file
// contents: "$$secret:NAME$$" (the secret's value; an x509 secret's
// certificate PEM) and "$$secret:NAME.key$$" (an x509 secret's private key
// PEM). Binary secrets (aes-256, random) render as lowercase hex.
// Pure functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "policy/policy.h"

namespace clemmys::policy {

// [A-Za-z0-9_-]{1,128}
bool validName(std::string_view name);

struct SecretRef {
  std::string name;
  bool privateKey = false;  // ".key" suffix
};

// Every reference in the policy names a declared secret; ".key" only on x509
// secrets. Errors: policy.unknown_secret, policy.bad_reference.
Status checkReferences(const Policy& policy);

// Replaces every reference in `text` with lookup(ref). Errors: those of lookup,
// policy.bad_reference for an unterminated or malformed reference.
using SecretLookup = std::function<Result<std::string>(const SecretRef&)>;
Result<std::string> resolveReferences(std::string_view text, const SecretLookup& lookup);

}  // namespace clemmys::policy
