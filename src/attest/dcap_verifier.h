// DcapVerifier: attest::Verifier for Intel DCAP ECDSA quotes — SGX (v3/v4),
// TDX (v4/v5) and Clemmys "sim" quotes (SGX v3 layout signed through a
// simulated PCK chain). The trusted root key is a constructor parameter:
// Intel's SGX Root CA (trust_anchors.h) for hardware, the installation's sim
// root for sim. Sim claims are always marked insecure.
// verify() is thread-safe. It remembers PCK chains it has verified (keyed by the
// chain's bytes), because every quote of a platform carries the same chain and
// re-verifying it was a third of a sim attestation's cost; a remembered chain is
// still checked for validity at each evaluation time.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "attest/dcap_quote.h"
#include "attest/verifier.h"
#include "common/clock.h"
#include "crypto/bytes.h"
#include "crypto/digest.h"
#include "crypto/x509.h"

namespace clemmys::attest {

class DcapVerifier final : public Verifier {
 public:
  // `expected` is kSgx, kTdx or kSim; evidence of another TEE type is refused
  // (attest.quote_wrong_tee). `clock` must outlive the verifier.
  DcapVerifier(EvidenceType expected, crypto::Bytes rootSpki, const Clock& clock);

  Result<Claims> verify(crypto::ByteView evidence, const VerifyOptions& options) const override;

 private:
  Result<std::vector<crypto::Certificate>> verifiedPckChain(const DcapQuote& quote,
                                                            const VerifyOptions& options,
                                                            std::optional<int64_t> at) const;
  EvidenceType expected_;
  crypto::Bytes rootSpki_;
  const Clock& clock_;
  static constexpr size_t kMaxCachedChains = 64;
  mutable std::mutex cacheMutex_;
  mutable std::map<crypto::Sha256Digest, std::vector<crypto::Certificate>> chainCache_;
};

}  // namespace clemmys::attest
