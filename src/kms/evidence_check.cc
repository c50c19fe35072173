#include "kms/evidence_check.h"

#include <algorithm>

#include "attest/dcap_verifier.h"
#include "attest/snp_verifier.h"
#include "attest/trust_anchors.h"
#include "common/encoding.h"

namespace clemmys::kms {
namespace {

Status checkMeasurement(const policy::ServicePolicy& service, const attest::Claims& claims) {
  std::string m = toHex(claims.measurement);
  if (std::find(service.measurements.begin(), service.measurements.end(), m) != service.measurements.end()) return {};
  if (service.signer && toHex(claims.signer) == *service.signer && claims.productId == service.product &&
      claims.svn >= service.minSvn) {
    return {};
  }
  return fail("kms.measurement_refused", "measurement " + m + " is not accepted by the policy");
}

}  // namespace

// Claims of a TDX quote always carry all four RTMRs; fewer is our bug, refused
// all the same.
Status checkTdxFields(const policy::TdxPolicy& t, const attest::Claims& claims) {
  for (size_t i = 0; i < t.rtmr.size(); ++i) {
    if (!t.rtmr[i]) continue;
    std::string actual = i < claims.rtmrs.size() ? toHex(claims.rtmrs[i]) : "";
    if (actual != *t.rtmr[i]) {
      return fail("kms.rtmr_refused", "RTMR" + std::to_string(i) + " " + actual + " is not the policy's");
    }
  }
  if (t.mrConfigId && toHex(claims.mrConfigId) != *t.mrConfigId) {
    return fail("kms.mrconfigid_refused", "MRCONFIGID " + toHex(claims.mrConfigId) + " is not the policy's");
  }
  if (t.mrOwner && toHex(claims.mrOwner) != *t.mrOwner) {
    return fail("kms.mrowner_refused", "MROWNER " + toHex(claims.mrOwner) + " is not the policy's");
  }
  return {};
}

Status checkTcbStatus(const std::vector<std::string>& tolerated, const attest::Claims& claims) {
  if (claims.type == attest::EvidenceType::kSim) return {};
  std::string status = claims.tcbStatus.value_or("Unknown");
  if (std::find(tolerated.begin(), tolerated.end(), status) == tolerated.end()) {
    return fail("kms.tcb_status_refused", "TCB status " + status + " is not tolerated");
  }
  return {};
}

VerifierMap hardwareVerifiers(const Clock& clock) {
  VerifierMap verifiers;
  auto intel = attest::intelSgxRootSpki();
  verifiers["sgx"] = std::make_unique<attest::DcapVerifier>(attest::EvidenceType::kSgx, intel, clock);
  verifiers["tdx"] = std::make_unique<attest::DcapVerifier>(attest::EvidenceType::kTdx, intel, clock);
  verifiers["snp"] = std::make_unique<attest::SnpVerifier>(clock);
  return verifiers;
}

Result<attest::Claims> verifyEvidence(const policy::ServicePolicy& service, const VerifierMap& verifiers,
                                      std::string_view evidenceType, crypto::ByteView evidence,
                                      const attest::VerifyOptions& options) {
  const std::string type(evidenceType);
  if (std::find(service.evidence.begin(), service.evidence.end(), type) == service.evidence.end()) {
    return fail("kms.evidence_not_tolerated", "the service does not tolerate " + type + " evidence");
  }
  auto verifier = verifiers.find(type);
  if (verifier == verifiers.end()) return fail("kms.evidence_type_unsupported", "no verifier for " + type);
  auto claims = verifier->second->verify(evidence, options);
  if (!claims) return std::unexpected(claims.error());
  if (attest::evidenceTypeName(claims->type) != type) {
    return fail("kms.evidence_type_mismatch", "evidence is not of the declared type");
  }
  if (claims->debug) return fail("kms.debug_refused", "debug evidence is never accepted");
  return claims;
}

Status checkClaims(const policy::ServicePolicy& service, const attest::Claims& claims,
                   crypto::ByteView expectedReportData) {
  if (claims.reportData.size() != expectedReportData.size() ||
      !std::equal(expectedReportData.begin(), expectedReportData.end(), claims.reportData.begin())) {
    return fail("kms.report_data_mismatch", "report data does not bind the nonce and the ephemeral key");
  }
  if (auto st = checkMeasurement(service, claims); !st) return st;
  if (claims.type == attest::EvidenceType::kTdx && service.tdx) {
    if (auto st = checkTdxFields(*service.tdx, claims); !st) return st;
  }
  return checkTcbStatus(service.tcbStatus, claims);
}

}  // namespace clemmys::kms
