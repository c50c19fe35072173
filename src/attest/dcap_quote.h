// Strict parser for Intel DCAP ECDSA quotes: SGX v3, SGX/TDX v4, and TDX v5
// (layouts in doc/formats/evidence.md). Parsing checks structure only — exact
// lengths, known versions, key type, TEE type, body type, QE vendor and
// certification-data types, no trailing bytes — never signatures.
// Thread-safe (pure function).
//
// Errors: attest.quote_truncated, attest.quote_trailing_bytes,
// attest.quote_unsupported_version, attest.quote_unsupported_key_type,
// attest.quote_unknown_tee_type, attest.quote_unknown_body_type,
// attest.quote_unknown_qe_vendor, attest.quote_bad_signature_length,
// attest.quote_unsupported_cert_type.
#pragma once

#include <array>
#include <optional>

#include "attest/byte_reader.h"

namespace clemmys::attest {

inline constexpr uint32_t kTeeTypeSgx = 0x00;
inline constexpr uint32_t kTeeTypeTdx = 0x81;
inline constexpr uint16_t kCertDataPckChainPem = 5;
inline constexpr uint16_t kCertDataQeReport = 6;
inline constexpr size_t kQuoteHeaderSize = 48;
inline constexpr size_t kSgxReportBodySize = 384;
inline constexpr size_t kTd10BodySize = 584;
inline constexpr size_t kTd15BodySize = 648;

struct QuoteHeader {
  uint16_t version = 0;
  uint16_t attKeyType = 0;
  uint32_t teeType = 0;  // "reserved" in v3, where it must be 0
  uint16_t qeSvn = 0;
  uint16_t pceSvn = 0;
  std::array<uint8_t, 16> qeVendorId{};
  std::array<uint8_t, 20> userData{};
};

// SGX REPORTBODY (enclave or QE report).
struct SgxReportBody {
  std::array<uint8_t, 16> cpuSvn{};
  uint32_t miscSelect = 0;
  std::array<uint8_t, 16> attributes{};  // attributes[0] bit 1 = DEBUG
  std::array<uint8_t, 32> mrEnclave{};
  std::array<uint8_t, 32> mrSigner{};
  uint16_t isvProdId = 0;
  uint16_t isvSvn = 0;
  std::array<uint8_t, 64> reportData{};
  bool debug() const { return (attributes[0] & 0x02) != 0; }
};

// TDX TD report body, TD1.0 (584 B) or TD1.5 (648 B).
struct TdReportBody {
  std::array<uint8_t, 16> teeTcbSvn{};
  std::array<uint8_t, 48> mrSeam{};
  std::array<uint8_t, 48> mrSignerSeam{};
  std::array<uint8_t, 8> seamAttributes{};
  std::array<uint8_t, 8> tdAttributes{};  // byte 0 bit 0 = DEBUG
  std::array<uint8_t, 8> xfam{};
  std::array<uint8_t, 48> mrTd{};
  std::array<uint8_t, 48> mrConfigId{};
  std::array<uint8_t, 48> mrOwner{};
  std::array<uint8_t, 48> mrOwnerConfig{};
  std::array<std::array<uint8_t, 48>, 4> rtmr{};
  std::array<uint8_t, 64> reportData{};
  bool td15 = false;
  std::array<uint8_t, 16> teeTcbSvn2{};    // TD1.5 only
  std::array<uint8_t, 48> mrServiceTd{};  // TD1.5 only
  bool debug() const { return (tdAttributes[0] & 0x01) != 0; }
};

struct DcapQuote {
  QuoteHeader header;
  std::optional<SgxReportBody> sgxBody;  // exactly one of sgxBody / tdBody
  std::optional<TdReportBody> tdBody;
  ByteView signedBytes;  // header (and v5 body descriptor) and body, as signed
  std::array<uint8_t, 64> quoteSignature{};
  std::array<uint8_t, 64> attestationKey{};
  ByteView qeReportBytes;  // 384 B, as signed by the PCK key
  SgxReportBody qeReport;
  std::array<uint8_t, 64> qeReportSignature{};
  ByteView qeAuthData;
  uint16_t certDataType = 0;  // innermost: 5 (PEM chain) or 1..3 (PPID, PCK fetched separately)
  ByteView certData;
};

// `quote` must outlive the result (views point into it).
Result<DcapQuote> parseDcapQuote(ByteView quote);

// Parses a 384-byte SGX report body.
SgxReportBody parseSgxReportBody(ByteView body384);

}  // namespace clemmys::attest
