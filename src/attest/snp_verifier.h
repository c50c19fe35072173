// SnpVerifier: attest::Verifier for AMD SEV-SNP attestation reports. Needs the
// VCEK or VLEK (options.snpLeafCert, DER or PEM) and the AMD CA certificates
// (options.snpCaChainPem: ASK or ASVK and ARK, any order). The ARK must carry
// one of the per-product keys compiled into trust_anchors.cc (Milan, Genoa,
// Turin); which one also fixes the product for TCB decoding.
// Immutable after construction; verify() is thread-safe.
//
// Errors: those of parseSnpReport, attest.snp.leaf_missing,
// attest.snp.chain_malformed, attest.snp.chain_untrusted_root,
// attest.snp.chain_signature_invalid, attest.snp.chain_expired, ...,
// attest.snp.signing_key_mismatch, attest.snp.product_mismatch,
// attest.snp.report_signature_invalid, attest.snp.chip_id_mismatch,
// attest.snp.tcb_mismatch, attest.debug_refused.
#pragma once

#include "attest/verifier.h"
#include "common/clock.h"

namespace clemmys::attest {

class SnpVerifier final : public Verifier {
 public:
  explicit SnpVerifier(const Clock& clock) : clock_(clock) {}
  Result<Claims> verify(crypto::ByteView evidence, const VerifyOptions& options) const override;

 private:
  const Clock& clock_;
};

}  // namespace clemmys::attest
