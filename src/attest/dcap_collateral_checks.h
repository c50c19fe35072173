// Collateral checks and TCB evaluation for DCAP quotes, one function per step of
// Intel's QVL (`TCBInfoVerifier`, `EnclaveIdentityVerifier`, `PckCrlVerifier`,
// `TcbLevelSelector` / `convergeTcbStatus`). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "attest/dcap_collateral.h"
#include "attest/dcap_quote.h"
#include "attest/pck_extensions.h"

namespace clemmys::attest {

struct TcbResult {
  std::string status;  // UpToDate, SWHardeningNeeded, ConfigurationNeeded, ...
  std::vector<std::string> advisories;
};

// QVL "verify TCB Info / QE Identity signatures and chains, CRL signatures":
// each issuer chain ends at the pinned root; TCB Info and QE Identity carry a
// raw ECDSA-P256 signature by the TCB signing key over their exact bytes; the
// PCK CRL is signed by its issuer chain's leaf; the Root CA CRL by the root.
// With `at`: chains and CRLs (thisUpdate..nextUpdate) must cover it. Runs
// before the signed JSON is interpreted at all.
// Errors: attest.tcb_info_chain_*, attest.tcb_info_signature_invalid,
// attest.qe_identity_chain_*, attest.qe_identity_signature_invalid,
// attest.pck_crl_chain_*, attest.pck_crl_signature_invalid,
// attest.root_crl_signature_invalid, attest.crl_expired.
Status checkCollateralSignatures(const DcapCollateral& c, crypto::ByteView rootSpki, std::optional<int64_t> at);

// Parses the (now authenticated) TCB Info and QE Identity into `c`.
// Error: attest.collateral_malformed.
Status parseSignedCollateral(DcapCollateral& c);

// QVL "check collateral expiration": issueDate <= at <= nextUpdate for TCB Info
// and QE Identity. Errors: attest.tcb_info_expired, attest.qe_identity_expired.
Status checkCollateralWindow(const DcapCollateral& c, int64_t at);

// QVL "check PCK certificate revocation": the PCK CRL must be the one issued by
// the PCK leaf's issuer, must not list the leaf; the Root CA CRL must not list
// the PCK CA. Errors: attest.pck_crl_wrong_issuer, attest.pck_revoked,
// attest.pck_ca_revoked.
Status checkRevocation(const std::vector<crypto::Certificate>& pckChain, const DcapCollateral& c);

// QVL EnclaveIdentityVerifier: QE identity id (QE / TD_QE), MRSIGNER, ISVPRODID,
// masked MISCSELECT and ATTRIBUTES, then the level selected by the QE's ISVSVN.
// Errors: attest.qe_identity_wrong_type, attest.qe_identity_mismatch,
// attest.qe_tcb_level_not_found.
Result<IsvTcbLevel> evaluateQeIdentity(const SgxReportBody& qeReport, const QeIdentity& identity, bool tdx);

// QVL TcbLevelSelector: TCB Info type, FMSPC and PCE ID match the PCK cert;
// the first level whose SGX components and PCESVN (and for TDX, TEE_TCB_SVN
// components) are all <= the platform's; none: status "TcbNotSupported". For TDX also the TDX module identity
// (MRSIGNERSEAM, SEAMATTRIBUTES, module ISVSVN).
// Errors: attest.tcb_info_wrong_type, attest.tcb_info_fmspc_mismatch,
// attest.tcb_info_pceid_mismatch, attest.tcb_level_not_found (TDX module),
// attest.tdx_module_mismatch, attest.tdx_module_identity_not_found.
Result<TcbResult> evaluatePlatformTcb(const PckTcb& pck, const TcbInfo& info, const TdReportBody* td);

// QVL convergeTcbStatus: an OutOfDate QE (or TDX module) downgrades an otherwise
// current platform; advisories are merged. A Revoked result is an error.
// Error: attest.tcb_revoked.
Result<TcbResult> convergeTcbStatus(const TcbResult& platform, const IsvTcbLevel& qe);

}  // namespace clemmys::attest
