// `clemmys owner verify-kms`: the owner's check of what a provider says it runs
// (doc/formats/provider-info.md, "What clemmys owner verify-kms does with it"):
// every manifest against this machine's files, every measurement recomputed from
// the owner's own binaries, the KMS's evidence and certificate, and the gateway's
// and runtime's launches naming the session and the pinned KMS certificate.
// Owner side only (links the evidence verifiers and the simtee's measurement code).
// Thread safety: plain functions.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "kmsclient/kms_verify.h"
#include "platform/provider_info.h"

namespace clemmys::owner {

struct VerifyOptions {
  std::string binDir;   // the owner's clemmys-kms, clemmys-gateway, clemmys-runtime
  std::string kmsUrl;   // as the owner reaches the KMS
  std::optional<std::string> simRootPem;  // nullopt: provider.json's, with sim evidence
  bool allowManifestDiff = false;
  // Hardware evidence: the TCB statuses accepted and the owner's collateral cache
  // (doc/formats/collateral-cache.md); sim evidence has no TCB status.
  std::vector<std::string> acceptTcb = {"UpToDate"};
  std::string collateralDir;
};

struct VerifiedProvider {
  platform::ProviderInfo info;
  kmsclient::VerifiedKms kms;
  std::string kmsMeasurement, gatewayMeasurement, runtimeMeasurement;
};

// Progress lines ("ok ...") go to `progress`. Errors: owner.manifest_differs,
// owner.measurement_differs, owner.session_mismatch, owner.kms_cert_not_pinned,
// owner.no_binary, simtee.rootfs_invalid, kmsclient.*, attest.*, http.*.
Result<VerifiedProvider> verifyProvider(const platform::ProviderInfo& info, const VerifyOptions& options,
                                        const Clock& clock, std::ostream& progress);

// The measurement the simtee gives `launch` when it runs the owner's `binary`
// (default sandbox, the manifest's digest). Errors: owner.no_binary, simtee.rootfs_invalid.
Result<std::string> expectedMeasurement(const std::string& binary, const platform::LaunchDescription& launch);

}  // namespace clemmys::owner
