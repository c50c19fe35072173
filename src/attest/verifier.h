// attest::Verifier — evidence bytes in, verified Claims out (DESIGN.md §5).
// Implementations are immutable after construction and safe to call from many
// threads. Every failure is a named error ("attest.*") and fails closed.
#pragma once

#include <optional>
#include <string>

#include "attest/claims.h"
#include "common/error.h"
#include "crypto/bytes.h"

namespace clemmys::attest {

struct VerifyOptions {
  // Debug enclaves/TDs/guests are refused (attest.debug_refused) unless set.
  bool allowDebug = false;
  // Evaluation time (Unix seconds) for certificate, CRL and collateral validity.
  // Unset with checkTime = true means "now" from the verifier's Clock.
  std::optional<int64_t> evaluationTime;
  // Time-independent mode: signatures and chains only. For archived test
  // evidence whose certificates have expired; never for production decisions.
  bool checkTime = true;
  // DCAP collateral bundle (JSON, see doc/formats/evidence.md); enables TCB evaluation.
  std::optional<std::string> collateralJson;
  // PEM chain PCK leaf ‖ PCK CA ‖ root, for quotes whose certification data is a
  // PPID (types 1..3) rather than the chain itself.
  std::optional<std::string> pckChainPem;
  // SEV-SNP: VCEK/VLEK (DER or PEM) and the ASK/ASVK ‖ ARK chain (PEM).
  std::optional<std::string> snpLeafCert;
  std::optional<std::string> snpCaChainPem;
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  virtual Result<Claims> verify(crypto::ByteView evidence, const VerifyOptions& options) const = 0;
};

}  // namespace clemmys::attest
