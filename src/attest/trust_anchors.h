// Compiled-in trust anchors, as SubjectPublicKeyInfo DER: Intel's SGX Root CA
// (SGX and TDX PCK chains, TCB Info and QE Identity signing chains) and AMD's
// ARK per SEV-SNP product. Pure functions; thread-safe.
#pragma once

#include <optional>

#include "crypto/bytes.h"

namespace clemmys::attest {

enum class SnpProduct { kMilan, kGenoa, kTurin };

crypto::Bytes intelSgxRootSpki();
std::optional<crypto::Bytes> amdArkSpki(SnpProduct product);
const char* snpProductName(SnpProduct product);

}  // namespace clemmys::attest
