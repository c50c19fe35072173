#include "attest/claims.h"

namespace clemmys::attest {

const char* evidenceTypeName(EvidenceType type) {
  switch (type) {
    case EvidenceType::kSgx:
      return "sgx";
    case EvidenceType::kTdx:
      return "tdx";
    case EvidenceType::kSnp:
      return "snp";
    case EvidenceType::kSim:
      return "sim";
  }
  return "unknown";
}

}  // namespace clemmys::attest
