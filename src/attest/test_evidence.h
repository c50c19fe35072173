// Test-only helpers: read evidence from the shared evidence directory
// (CLEMMYS_EVIDENCE_DIR, set by CMake) and build evaluation times.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include "common/encoding.h"
#include "crypto/bytes.h"
#include "crypto/x509.h"

namespace clemmys::attest::testing {

inline std::string evidencePath(const std::string& rel) { return std::string(CLEMMYS_EVIDENCE_DIR) + "/" + rel; }

inline std::string readEvidence(const std::string& rel) {
  std::ifstream in(evidencePath(rel), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline crypto::Bytes readEvidenceBytes(const std::string& rel) {
  std::string s = readEvidence(rel);
  return crypto::Bytes(s.begin(), s.end());
}

// A DER certificate as PEM, the form a JSON request carries it in.
inline std::string derToPem(const std::string& der) {
  std::string b64 = base64Encode(der), pem = "-----BEGIN CERTIFICATE-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END CERTIFICATE-----\n";
}

inline int64_t at(const char* rfc3339) { return crypto::parseRfc3339(rfc3339).value(); }

}  // namespace clemmys::attest::testing
