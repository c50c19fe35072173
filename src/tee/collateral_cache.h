// What an attester sends beside its evidence (tee::VerifierInputs) and where it
// finds it: the host's collateral cache directory (CollateralCache) and, for
// SEV-SNP, the certificate table in configfs-tsm's auxblob
// (parseSnpCertTable). Format and failure rules: doc/formats/collateral-cache.md.
//
// All of it comes from the untrusted host and is trusted by no one here: the
// checks below are structural, so that a misconfigured host gets a named error
// where the mistake is; signatures and validity are the KMS's (attest::Verifier).
// Pure functions and an immutable class; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace clemmys::tee {

// The attest request's verifier inputs (doc/formats/kms-api.md); unset = not sent.
struct VerifierInputs {
  std::optional<std::string> collateralJson;  // DCAP collateral bundle (sgx, tdx)
  std::optional<std::string> pckChainPem;     // PCK chain, PPID quotes only (sgx, tdx)
  std::optional<std::string> snpLeafCertPem;  // VCEK or VLEK (snp)
  std::optional<std::string> snpCaChainPem;   // ASK/ASVK ‖ ARK (snp)
};

// The certificates of an SNP certificate table, as PEM.
// Error: tee.snp_cert_table_malformed.
Result<VerifierInputs> parseSnpCertTable(std::string_view auxblob);

class CollateralCache {
 public:
  explicit CollateralCache(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  // Fills what `inputs` lacks for evidence of `type` ("sgx", "tdx", "snp"; other
  // types need nothing). Errors: tee.collateral_missing, tee.collateral_malformed,
  // tee.collateral_mismatch.
  Status complete(std::string_view type, VerifierInputs& inputs) const;

 private:
  Status completeDcap(std::string_view type, VerifierInputs& inputs) const;
  Status completeSnp(VerifierInputs& inputs) const;
  std::string dir_;
};

// `cache` may be null (no --collateral-dir): then `inputs` is returned as is.
Result<VerifierInputs> completeInputs(const CollateralCache* cache, std::string_view type, VerifierInputs inputs);

}  // namespace clemmys::tee
