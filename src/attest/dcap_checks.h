// The quote-level checks of DCAP verification, one function per step of Intel's
// Quote Verification Library flow (QVL `QuoteVerifier::verify`, steps as in
// Intel's "ECDSA Quote Library API" §A.4 and DCAP Quote Verification). Each
// returns its own named error. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attest/dcap_quote.h"
#include "crypto/x509.h"

namespace clemmys::attest {

// Prefix for errors that differ per flavour: "attest.sgx", "attest.tdx", "attest.sim".
struct DcapFlavour {
  std::string errorPrefix;
};

// PCK chain (leaf first) from certification data type 5, or from `suppliedPem`
// for PPID types 1..3. Errors: attest.pck_chain_missing, attest.pck_chain_malformed.
Result<std::vector<crypto::Certificate>> extractPckChain(const DcapQuote& quote,
                                                          const std::optional<std::string>& suppliedPem);

// QVL step "verify PCK certificate chain": leaf ← PCK CA ← root, the root pinned
// by key, validity at `at`. Errors: attest.pck_chain_untrusted_root,
// attest.pck_chain_signature_invalid, attest.pck_chain_not_ca,
// attest.pck_chain_expired, attest.pck_chain_not_yet_valid, attest.pck_chain_malformed.
Status checkPckChain(const std::vector<crypto::Certificate>& chain, crypto::ByteView rootSpki,
                     std::optional<int64_t> at);

// QVL step "verify QE report signature": ECDSA-P256/SHA-256 by the PCK leaf key
// over the 384-byte QE report. Error: attest.qe_report_signature_invalid.
Status checkQeReportSignature(const DcapQuote& quote, const crypto::Certificate& pckLeaf);

// QVL step "verify attestation key binding": QE REPORTDATA ==
// SHA-256(attestation key ‖ QE auth data) ‖ 0^32.
// Error: attest.attestation_key_binding_mismatch.
Status checkAttestationKeyBinding(const DcapQuote& quote);

// QVL step "verify quote signature": ECDSA-P256/SHA-256 by the attestation key
// over header ‖ body. Errors: <prefix>.quote_signature_invalid,
// <prefix>.attestation_key_invalid.
Status checkQuoteSignature(const DcapQuote& quote, const DcapFlavour& flavour);

// Policy: DEBUG attribute (SGX ATTRIBUTES.DEBUG / TDATTRIBUTES.DEBUG).
// Error: attest.debug_refused.
Status checkDebug(bool debug, bool allowDebug);

// Renames a crypto.chain_* error into "<prefix>_<what>", e.g.
// crypto.chain_untrusted_root -> attest.pck_chain_untrusted_root.
Error renameChainError(const Error& e, const std::string& prefix);

}  // namespace clemmys::attest
