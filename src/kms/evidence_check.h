// The evidence half of the attest → release decision (Releaser, release.h):
// steps 4–9 of doc/formats/kms-api.md "POST /v1/attest", split in two so that
// each can be exercised on recorded hardware evidence with exactly the code a
// runtime's attestation runs through.
//
//  verifyEvidence  4. evidence type tolerated by the service   kms.evidence_not_tolerated
//                     a verifier exists for it                 kms.evidence_type_unsupported
//                  5. the evidence verifies, debug refused     attest.* (e.g. attest.debug_refused)
//                  6. claims of the declared type, not debug   kms.evidence_type_mismatch, kms.debug_refused
//  checkClaims     7. report data is the expected binding      kms.report_data_mismatch
//                  8. measurement / signer accepted            kms.measurement_refused
//                     TDX: named RTMRs, MRCONFIGID, MROWNER    kms.rtmr_refused, kms.mrconfigid_refused,
//                                                              kms.mrowner_refused
//                  9. TCB status tolerated (hardware only)     kms.tcb_status_refused
// Pure functions over immutable inputs; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "attest/verifier.h"
#include "common/clock.h"
#include "policy/policy.h"

namespace clemmys::kms {

// Verifiers by evidence type ("sgx", "tdx", "snp", "sim"); a missing entry
// means the type is not supported by this KMS.
using VerifierMap = std::map<std::string, std::unique_ptr<attest::Verifier>>;

// The hardware verifiers every KMS runs: SGX and TDX pinned to Intel's SGX Root
// CA, SEV-SNP to AMD's per-product roots; all evaluate time by `clock`, which
// must outlive the map. The sim verifier is added by the caller, when configured.
VerifierMap hardwareVerifiers(const Clock& clock);

// Steps 4–6. `options` are the request's verifier inputs (collateral, chains);
// the caller fixes allowDebug = false and leaves the evaluation time to the clock.
Result<attest::Claims> verifyEvidence(const policy::ServicePolicy& service, const VerifierMap& verifiers,
                                      std::string_view evidenceType, crypto::ByteView evidence,
                                      const attest::VerifyOptions& options);

// Steps 7–9 on verified claims. `expectedReportData` is what the evidence must
// carry: kms::attestReportData(nonce, ephemeral key) for a release.
Status checkClaims(const policy::ServicePolicy& service, const attest::Claims& claims,
                   crypto::ByteView expectedReportData);

// Step 8's TDX part and step 9, on their own for other callers (the owner's
// check of the KMS's own evidence, kmsclient::verifyKms). checkTdxFields
// compares every field `tdx` names with the TDX claims; checkTcbStatus accepts
// sim claims and otherwise the claims' TCB status ("Unknown" when none) only
// if `tolerated` lists it.
Status checkTdxFields(const policy::TdxPolicy& tdx, const attest::Claims& claims);
Status checkTcbStatus(const std::vector<std::string>& tolerated, const attest::Claims& claims);

}  // namespace clemmys::kms
