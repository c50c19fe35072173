// Sim quotes in the exact SGX DCAP v3 ECDSA-P256 layout (doc/simtee.md, "Quotes";
// doc/formats/evidence.md): header (48) || ISV enclave report body (384) ||
// u32 signature_data_len || signature (r||s) || attestation key (x||y) ||
// QE report body (384) || QE report signature || u16 auth size || QE auth data ||
// u16 cert type 5 || u32 size || PEM chain PCK leaf, intermediate, root.
// Signed by the installation's attestation key; the QE report is signed by the
// sim PCK key and binds the attestation key, exactly as Intel's QE does, so
// attest::DcapVerifier checks sim quotes with the sim root pinned.
// Pure given the Installation; thread-safe.
#pragma once

#include <string>

#include "crypto/digest.h"
#include "simtee/installation.h"
#include "tee/attester.h"

namespace clemmys::simtee {

// MRSIGNER of every simtee-launched process: SHA-256("clemmys-simtee/mrsigner/v1").
// The same on every installation so policies stay portable; trust in the
// installation comes from pinning its root, not from MRSIGNER.
crypto::Sha256Digest simMrSigner();

// Error: simtee.sign_failed.
Result<std::string> buildQuote(const Installation& installation, const crypto::Sha256Digest& measurement,
                               const tee::ReportData& reportData);

}  // namespace clemmys::simtee
