// Strict parser for AMD SEV-SNP ATTESTATION_REPORT (SEV-SNP ABI spec, Table 22
// "ATTESTATION_REPORT Structure"; layout in doc/formats/evidence.md): exactly
// 1184 bytes, versions 2, 3 or 5, signature algorithm 1 (ECDSA P-384/SHA-384),
// policy bit 17 set, zero bytes after the 144-byte signature. Pure; thread-safe.
// Errors: attest.snp.report_bad_length, attest.snp.unsupported_version,
// attest.snp.unsupported_signature_algo, attest.snp.policy_invalid,
// attest.snp.report_malformed.
#pragma once

#include <array>

#include "attest/byte_reader.h"

namespace clemmys::attest {

inline constexpr size_t kSnpReportSize = 0x4A0;
inline constexpr size_t kSnpSignedSize = 0x2A0;

struct SnpReport {
  uint32_t version = 0;
  uint32_t guestSvn = 0;
  uint64_t policy = 0;
  uint32_t vmpl = 0;
  uint32_t signatureAlgo = 0;
  uint64_t platformInfo = 0;
  uint32_t signerInfo = 0;  // bit 0 author_key_en, bit 1 mask_chip_key, bits 2..4 signing key
  std::array<uint8_t, 64> reportData{};
  std::array<uint8_t, 48> measurement{};
  std::array<uint8_t, 32> hostData{};
  std::array<uint8_t, 48> idKeyDigest{};
  std::array<uint8_t, 48> authorKeyDigest{};
  uint64_t reportedTcb = 0;
  std::array<uint8_t, 64> chipId{};
  std::array<uint8_t, 72> sigR{};  // little-endian, as the ABI defines
  std::array<uint8_t, 72> sigS{};
  ByteView signedBytes;  // bytes 0x000..0x29F

  bool debug() const { return (policy >> 19) & 1; }
  bool authorKeyEnabled() const { return signerInfo & 1; }
  bool maskChipKey() const { return (signerInfo >> 1) & 1; }
  uint32_t signingKey() const { return (signerInfo >> 2) & 7; }  // 0 VCEK, 1 VLEK
};

// `report` must outlive the result.
Result<SnpReport> parseSnpReport(ByteView report);

}  // namespace clemmys::attest
