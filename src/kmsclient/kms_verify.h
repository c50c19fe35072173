// verifyKms: check a KMS before trusting it (`clemmys kms verify`). Fetches
// GET /v1/kms/evidence over TLS WITHOUT trusting the certificate, then:
//  1. the certificate in the reply is the one the TLS handshake presented
//     (kmsclient.certificate_mismatch);
//  2. the evidence verifies with attest (Intel root for sgx/tdx, the given sim
//     root for sim; sim without a root: kmsclient.sim_root_required);
//  3. the measurement is the expected one (kmsclient.measurement_mismatch);
//  4. report data == kms::kmsTlsReportData(certificate DER)
//     (kmsclient.report_data_mismatch).
// On success the caller pins the certificate (its SHA-256 fingerprint is
// returned too). Thread-safe (no shared state). Owner side only: its library,
// clemmys_kms_verify, brings in the evidence verifiers (attest); the runtime
// and the gateway must not link it (scripts/tcb.sh --check).
#pragma once

#include <optional>
#include <string>

#include "attest/claims.h"
#include "common/clock.h"
#include "kmsclient/endpoint.h"

namespace clemmys::kmsclient {

struct VerifiedKms {
  std::string certificatePem;
  std::string fingerprintHex;  // SHA-256 of the certificate DER
  attest::Claims claims;
};

Result<VerifiedKms> verifyKms(const KmsEndpoint& endpoint, const std::string& expectedMeasurementHex,
                              const std::optional<std::string>& simRootPem, const Clock& clock);

}  // namespace clemmys::kmsclient
