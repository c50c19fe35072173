// Update rules for a session's policy history (Palaemon semantics,
// DESIGN.md §6): an owner signs each version (ECDSA P-256, SHA-256, over
// canonicalBytes()); a first version names no predecessor and is signed by one
// of its own owners; every later version names the current version's hash and
// is signed by an owner of the CURRENT version (so a new owner set cannot
// admit itself). Pure functions; thread-safe.
//
// Errors (policy.*): signature_missing, signature_invalid, session_exists
// (a new first version for a name that has history: delete-and-recreate),
// unknown_session (a predecessor for a name without history),
// stale_predecessor, version_not_increasing, hash_reused, name_mismatch.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/error.h"
#include "crypto/bytes.h"
#include "crypto/ec_key.h"
#include "policy/policy.h"

namespace clemmys::policy {

struct CurrentVersion {
  const Policy* policy = nullptr;  // null: the session has no history
  std::string hash;
};

// Checks `candidate` (with its `hash`) as the next version after `current`.
// `everSeen` holds every policy hash the store ever accepted, in any session.
// Returns the index of the owner (in the authorising owner list) that signed.
Result<size_t> checkUpdate(const CurrentVersion& current, const Policy& candidate, const std::string& hash,
                           crypto::ByteView signature, const std::set<std::string>& everSeen);

// Which owner of `owners` signed `message` (DER ECDSA-SHA256); policy.signature_invalid if none.
Result<size_t> findSigner(const std::vector<crypto::Bytes>& owners, crypto::ByteView message, crypto::ByteView signature);

// Signs a policy's canonical bytes with an owner key (client side).
Result<crypto::Bytes> signPolicy(const Policy& policy, const crypto::EcPrivateKey& owner);

}  // namespace clemmys::policy
