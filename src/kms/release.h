// Releaser: the attest → release decision (DESIGN.md §6, doc/formats/kms-api.md
// "POST /v1/attest"). Checks, in order, each failing closed with its own error:
//  1. the request is well-formed                      kms.bad_request
//  2. the nonce was issued, is unused and fresh       kms.nonce_unknown / _replayed / _expired
//  3. session, service (and function) exist           kms.unknown_session / _service / _function
//  4. the evidence type is tolerated by the service   kms.evidence_not_tolerated
//  5. the evidence verifies (debug refused)           attest.* (e.g. attest.debug_refused)
//  6. its type is the declared one, not debug         kms.evidence_type_mismatch, kms.debug_refused
//  7. report data binds nonce + ephemeral key         kms.report_data_mismatch
//  8. measurement / signer accepted by the policy     kms.measurement_refused
//     TDX fields the policy names                     kms.rtmr_refused, kms.mrconfigid_refused, kms.mrowner_refused
//  9. TCB status tolerated (hardware evidence)        kms.tcb_status_refused
// Steps 4–9 are evidence_check.h's verifyEvidence and checkClaims.
// Then it builds the configuration and seals it to the ephemeral key
// (crypto/sealed_box.h, salt = nonce, context = kReleaseContext). Every
// decision is written to the audit log.
// Thread safety: release() may be called concurrently.
#pragma once

#include <boost/json/object.hpp>

#include "kms/audit_log.h"
#include "kms/evidence_check.h"
#include "kms/nonces.h"
#include "kms/sessions.h"

namespace clemmys::kms {

class Releaser {
 public:
  Releaser(SessionManager& sessions, NonceRegistry& nonces, const VerifierMap& verifiers, AuditLog& audit,
           Random& random);

  // `request` is the parsed JSON body; returns the JSON response body.
  Result<boost::json::object> release(const boost::json::object& request);

 private:
  SessionManager& sessions_;
  NonceRegistry& nonces_;
  const VerifierMap& verifiers_;
  AuditLog& audit_;
  Random& random_;
};

}  // namespace clemmys::kms
