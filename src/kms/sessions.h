// SessionManager: owner-facing operations on policy sessions (apply a signed
// version, show, history, rotate the application key) and the read side the
// release path needs. Every mutation is persisted through SealedStore before
// it becomes visible, so an acknowledged update survives a restart.
// Thread safety: all methods may be called concurrently (a shared_mutex:
// releases read in parallel, updates are exclusive).
//
// Errors: policy.* (parsing and update rules), kms.unknown_session,
// kms.unknown_service, kms.unknown_function, kms.import_refused, kms.store_*.
#pragma once

#include <boost/json/object.hpp>

#include <shared_mutex>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "kms/sealed_store.h"
#include "kms/state.h"
#include "policy/references.h"

namespace clemmys::kms {

struct Applied {
  std::string hash;
  uint64_t version = 0;
};

// What a release hands out, already resolved (secrets substituted).
struct ReleaseMaterial {
  std::string policyHash;
  uint64_t policyVersion = 0;
  policy::ServicePolicy service;
  std::vector<std::pair<uint32_t, crypto::SecretBytes>> keys;  // all versions, ascending
  std::string caCertPem;
  boost::json::object env, files;
  boost::json::array argv, pinnedDigests;
  boost::json::object functionDigests;  // fqn -> [digest] (for the gateway)
  int64_t messageLifetimeMs = 0;        // the policy's message_lifetime_s, default applied
};

class SessionManager {
 public:
  SessionManager(KmsState state, SealedStore& store, Random& random, const Clock& clock);

  // `urlName`, when non-empty, must equal the policy's name (policy.name_mismatch).
  Result<Applied> apply(std::string_view yaml, crypto::ByteView signature, std::string_view urlName = {});
  // Current version without secret values. Error: kms.unknown_session.
  Result<boost::json::object> describe(std::string_view name) const;
  Result<boost::json::array> history(std::string_view name) const;
  // Adds application key version current+1; the owner signs rotateMessage().
  Result<uint32_t> rotate(std::string_view name, crypto::ByteView signature);

  // The service's policy (for the checks before a release).
  Result<policy::ServicePolicy> servicePolicy(std::string_view session, std::string_view service) const;
  Result<ReleaseMaterial> material(std::string_view session, std::string_view service,
                                   const std::string* function) const;
  // A TLS certificate from the session CA for an attested service's key.
  Result<std::string> issueServiceCertificate(std::string_view session, std::string_view service,
                                              const crypto::PublicKey& key,
                                              const std::vector<std::string>& names) const;

 private:
  Status persistLocked();
  Status generateSecrets(SessionState& session, const policy::Policy& policy);
  Result<std::string> renderSecret(const SessionState& session, const policy::SecretRef& ref) const;

  mutable std::shared_mutex mu_;
  KmsState state_;
  SealedStore& store_;
  Random& random_;
  const Clock& clock_;
};

}  // namespace clemmys::kms
