// The SEV-SNP verification steps, one function each, citing the SEV-SNP ABI
// specification (AMD pub. 56860) and the VCEK certificate specification (AMD
// pub. 57230). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "attest/snp_report.h"
#include "attest/trust_anchors.h"
#include "crypto/x509.h"

namespace clemmys::attest {

struct SnpChain {
  std::vector<crypto::Certificate> certs;  // leaf, ASK/ASVK, ARK
  SnpProduct product = SnpProduct::kMilan;
};

// VCEK spec §2 "certificate chain": leaf ← ASK (or ASVK for a VLEK) ← ARK with
// RSASSA-PSS, ARK self-signed and equal to a pinned product key. The product's
// name must prefix the leaf's productName extension (1.3.6.1.4.1.3704.1.2).
// Errors: attest.snp.chain_malformed, attest.snp.chain_untrusted_root,
// attest.snp.chain_signature_invalid, attest.snp.chain_not_ca,
// attest.snp.chain_expired, attest.snp.chain_not_yet_valid,
// attest.snp.product_mismatch.
Result<SnpChain> buildSnpChain(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& cas,
                               std::optional<int64_t> at);

// ABI spec Table 22 SIGNATURE / Table 136 "ECDSA P-384 with SHA-384 signature":
// r and s little-endian in 72-byte fields, over bytes 0x000..0x29F.
// Error: attest.snp.report_signature_invalid.
Status checkSnpSignature(const SnpReport& report, const crypto::Certificate& leaf);

// VCEK spec Table 8: hwID (1.3.6.1.4.1.3704.1.4) equals CHIP_ID unless the
// report masks the chip key or the leaf is a VLEK. Error: attest.snp.chip_id_mismatch.
Status checkSnpChipId(const SnpReport& report, const crypto::Certificate& leaf);

// VCEK spec Table 8: blSPL/teeSPL/snpSPL/ucodeSPL (and fmcSPL on Turin) equal
// the REPORTED_TCB fields (ABI spec Table 3 "TCB_VERSION").
// Error: attest.snp.tcb_mismatch.
Status checkSnpTcb(const SnpReport& report, const crypto::Certificate& leaf, SnpProduct product);

}  // namespace clemmys::attest
