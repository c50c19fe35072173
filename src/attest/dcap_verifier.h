// DcapVerifier: attest::Verifier for Intel DCAP ECDSA quotes — SGX (v3/v4),
// TDX (v4/v5) and Clemmys "sim" quotes (SGX v3 layout signed through a
// simulated PCK chain). The trusted root key is a constructor parameter:
// Intel's SGX Root CA (trust_anchors.h) for hardware, the installation's sim
// root for sim. Sim claims are always marked insecure.
// Immutable after construction; verify() is thread-safe.
#pragma once

#include "attest/verifier.h"
#include "common/clock.h"
#include "crypto/bytes.h"

namespace clemmys::attest {

class DcapVerifier final : public Verifier {
 public:
  // `expected` is kSgx, kTdx or kSim; evidence of another TEE type is refused
  // (attest.quote_wrong_tee). `clock` must outlive the verifier.
  DcapVerifier(EvidenceType expected, crypto::Bytes rootSpki, const Clock& clock);

  Result<Claims> verify(crypto::ByteView evidence, const VerifyOptions& options) const override;

 private:
  EvidenceType expected_;
  crypto::Bytes rootSpki_;
  const Clock& clock_;
};

}  // namespace clemmys::attest
