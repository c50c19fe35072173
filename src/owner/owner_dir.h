// The owner's directory (doc/deploy.md, "The owner"): where `clemmys owner` keeps the
// signing key, the client credential, the pinned KMS and what verify-kms approved.
// 0700, every file 0600 except the public ones (owner.pub.pem, session-ca.pem).
// Thread safety: plain functions; callers serialise use of one directory.
#pragma once

#include <string>

#include "common/error.h"
#include "crypto/ec_key.h"
#include "owner/verify_provider.h"

namespace clemmys::owner {

// --dir, else $CLEMMYS_OWNER_DIR, else ~/.clemmys-owner.
std::string resolveOwnerDir(const std::string& flag);

// What `verify-kms` approved, as `apply` needs it (O/verified.json).
struct Approved {
  std::string session, kmsUrl, gatewayUrl, evidenceType;
  std::string kmsMeasurement, gatewayMeasurement, runtimeMeasurement, kmsFingerprint;
};

// Writes O/kms-url, O/kms-cert.pem, O/verified.json. Error: platform.io.
Status saveApproved(const std::string& dir, const VerifiedProvider& verified, const std::string& kmsUrl);
// Errors: owner.not_verified (no verify-kms yet), owner.bad_state.
Result<Approved> loadApproved(const std::string& dir);

// The existing signing key. Error: owner.not_initialised.
Result<crypto::EcPrivateKey> loadOwnerKey(const std::string& dir);
// The existing client credential "uuid:key". Error: owner.not_initialised.
Result<std::string> loadClientAuth(const std::string& dir);

}  // namespace clemmys::owner
