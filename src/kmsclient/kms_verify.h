// verifyKms: check a KMS before trusting it (`clemmys kms verify`). Fetches
// GET /v1/kms/evidence over TLS WITHOUT trusting the certificate, then:
//  1. the certificate in the reply is the one the TLS handshake presented
//     (kmsclient.certificate_mismatch);
//  2. the evidence verifies with attest (Intel root for sgx/tdx, AMD's for
//     snp, the given sim root for sim; sim without a root:
//     kmsclient.sim_root_required), debug refused, with the verifier inputs the
//     owner supplies (KmsExpectations::collateral: the reply carries none);
//  3. the measurement is the expected one (kmsclient.measurement_mismatch);
//     TDX: the RTMRs, MRCONFIGID and MROWNER expected (kms.rtmr_refused,
//     kms.mrconfigid_refused, kms.mrowner_refused — the rules the KMS applies
//     to a service's evidence, kms/evidence_check.h);
//  4. hardware evidence: its TCB status is one of those accepted
//     (kms.tcb_status_refused);
//  5. report data == kms::kmsTlsReportData(certificate DER)
//     (kmsclient.report_data_mismatch).
// On success the caller pins the certificate (its SHA-256 fingerprint is
// returned too). Thread-safe (no shared state). Owner side only: its library,
// clemmys_kms_verify, brings in the evidence verifiers (attest); the runtime
// and the gateway must not link it (scripts/tcb.sh --check).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attest/claims.h"
#include "common/clock.h"
#include "kmsclient/endpoint.h"
#include "policy/policy.h"
#include "tee/collateral_cache.h"

namespace clemmys::kmsclient {

struct VerifiedKms {
  std::string certificatePem;
  std::string fingerprintHex;  // SHA-256 of the certificate DER
  attest::Claims claims;
};

struct KmsExpectations {
  std::string measurementHex;             // MRENCLAVE (sgx, sim), MRTD (tdx), MEASUREMENT (snp)
  std::optional<std::string> simRootPem;  // needed for sim evidence
  std::optional<policy::TdxPolicy> tdx;   // TDX fields to pin (lowercase hex); any set field
                                          // refuses evidence that is not TDX
  // TCB statuses accepted for hardware evidence; nullopt: not checked (the
  // four-argument verifyKms, as before this struct existed).
  std::optional<std::vector<std::string>> tcbStatus = std::vector<std::string>{"UpToDate"};
  // The owner's collateral cache (doc/formats/collateral-cache.md), read for
  // the KMS's evidence type; nullopt: the evidence alone (DCAP TCB status
  // "Unknown"; SNP fails attest.snp.leaf_missing). Errors: tee.collateral_*.
  std::optional<tee::CollateralCache> collateral;
};

Result<VerifiedKms> verifyKms(const KmsEndpoint& endpoint, const KmsExpectations& expect, const Clock& clock);

// The original form: measurement and sim root only, no TCB status check.
Result<VerifiedKms> verifyKms(const KmsEndpoint& endpoint, const std::string& expectedMeasurementHex,
                              const std::optional<std::string>& simRootPem, const Clock& clock);

}  // namespace clemmys::kmsclient
