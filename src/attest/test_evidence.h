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

// What the recorded files hold (shared/evidence/README.md), lowercase hex.
inline constexpr const char* kSgxMrEnclave = "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb";
inline constexpr const char* kSgxMrSigner = "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6";
inline constexpr const char* kDebugMrEnclave = "8f173e4613ff05c52aaf04162d234edae8c9977eae47eb2299ae16a553011c68";
inline constexpr const char* kTdxMrTd =
    "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7";
inline constexpr const char* kTdxRtmr[4] = {
    "44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0",
    "0084452c01668329d4bc06acdf58a7205c26743304509973949e5619bf81a6a7aea8c323c173019b3093d54e579e9378",
    "d833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc207aa3ba80b70870d7330733642e01d48c3132",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"};
inline constexpr const char* kTdxOutdatedMrTd =
    "273828c46252fcbdd8ad2dd907130222b03466d52a2911d70c1a5950895d6bd1ae451d382d5a9b1b4c0ed0e5ae9a3dbd";
inline constexpr const char* kSnpDebugMeasurement =
    "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01";
inline constexpr const char* kSnpVlekMeasurement =
    "8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0";

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
