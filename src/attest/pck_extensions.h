// Intel's SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): the
// platform's FMSPC, PCE ID, the 16 SGX TCB component SVNs and the PCE SVN that
// TCB evaluation compares with TCB Info. Pure; thread-safe.
// Errors: attest.pck_extension_missing, attest.pck_extension_malformed.
#pragma once

#include <array>

#include "common/error.h"
#include "crypto/x509.h"

namespace clemmys::attest {

struct PckTcb {
  std::array<uint8_t, 6> fmspc{};
  std::array<uint8_t, 2> pceId{};
  std::array<uint8_t, 16> sgxTcbComponents{};
  uint16_t pceSvn = 0;
};

Result<PckTcb> parsePckExtensions(const crypto::Certificate& pckLeaf);

}  // namespace clemmys::attest
