// Claims: what a Verifier vouches for after every check on a piece of evidence
// passed. Plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.h"

namespace clemmys::attest {

enum class EvidenceType { kSgx, kTdx, kSnp, kSim };

const char* evidenceTypeName(EvidenceType type);  // "sgx", "tdx", "snp", "sim"

struct Claims {
  EvidenceType type = EvidenceType::kSim;
  crypto::Bytes measurement;  // MRENCLAVE (32) / MRTD (48) / SNP launch measurement (48)
  crypto::Bytes signer;       // MRSIGNER (SGX, sim); SNP author key digest when present; empty otherwise
  uint16_t productId = 0;     // ISVPRODID (SGX, sim)
  uint32_t svn = 0;           // ISVSVN (SGX, sim) / guest SVN (SNP)
  bool debug = false;
  crypto::Bytes reportData;   // 64 bytes
  std::optional<std::string> tcbStatus;  // set only when collateral was evaluated
  std::vector<std::string> advisories;
  bool insecure = false;      // sim evidence: no hardware protection behind it
  // TDX runtime measurements RTMR0..3 (48 bytes each); empty for other types.
  std::vector<crypto::Bytes> rtmrs;
  // TDX MRCONFIGID and MROWNER (48 bytes each); empty for other types.
  crypto::Bytes mrConfigId;
  crypto::Bytes mrOwner;
};

}  // namespace clemmys::attest
