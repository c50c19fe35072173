// Installation: the simtee's per-installation key material, created on first
// start in the state directory (files 0600, directory 0700) and loaded on
// every later start:
//   root.key / root.pem                  sim root CA (self-signed, P-256)
//   intermediate.key / intermediate.pem  sim PCK CA, issued by the root
//   pck.key / pck.pem                    sim PCK leaf, issued by the intermediate
//   attestation.key                      the QE's attestation key
//   platform.secret                      32 bytes, input of every sealing key
//   installation.done                    written last: generation completed
// A half-generated directory (no installation.done) is regenerated.
// Immutable after load; thread-safe.
//
// Errors: simtee.state_io, simtee.state_corrupt, and crypto.* from generation.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/error.h"
#include "crypto/ec_key.h"
#include "crypto/secret_bytes.h"
#include "crypto/x509.h"

namespace clemmys::simtee {

struct Installation {
  crypto::EcPrivateKey rootKey, intermediateKey, pckKey, attestationKey;
  crypto::Certificate rootCert, intermediateCert, pckCert;
  crypto::SecretBytes platformSecret;
  std::string rootPem, intermediatePem, pckPem;

  std::string pckChainPem() const { return pckPem + intermediatePem + rootPem; }
};

Result<Installation> loadOrCreateInstallation(const std::string& stateDir, const Clock& clock);

}  // namespace clemmys::simtee
