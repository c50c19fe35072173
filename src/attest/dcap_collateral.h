// DCAP collateral: TCB Info, QE Identity (signed JSON kept as the exact bytes
// Intel signed), their issuer chains, and the PCK and Root CA CRLs, as one JSON
// bundle (doc/formats/evidence.md). Parsing is structural only; signatures and
// validity are checked by dcap_collateral_checks.h, before the signed JSON is
// interpreted. Pure; thread-safe.
// Errors: attest.collateral_malformed.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "crypto/x509.h"

namespace clemmys::attest {

struct TcbLevel {
  std::array<uint8_t, 16> sgxComponents{};
  uint16_t pceSvn = 0;
  std::optional<std::array<uint8_t, 16>> tdxComponents;  // TDX TCB Info only
  std::string status;
  std::vector<std::string> advisories;
};

struct IsvTcbLevel {  // QE Identity and TDX module identity levels
  uint16_t isvSvn = 0;
  std::string status;
  std::vector<std::string> advisories;
};

struct TdxModuleIdentity {
  std::string id;  // "TDX_01" ...
  crypto::Bytes mrSigner;
  std::array<uint8_t, 8> attributes{};
  std::array<uint8_t, 8> attributesMask{};
  std::vector<IsvTcbLevel> levels;
};

struct TcbInfo {
  std::string id;  // "SGX" or "TDX"
  int version = 0;
  int64_t issueDate = 0;
  int64_t nextUpdate = 0;
  std::array<uint8_t, 6> fmspc{};
  std::array<uint8_t, 2> pceId{};
  std::vector<TcbLevel> levels;
  std::optional<TdxModuleIdentity> tdxModule;  // the top-level "tdxModule" (no levels)
  std::vector<TdxModuleIdentity> tdxModuleIdentities;
};

struct QeIdentity {
  std::string id;  // "QE" (SGX) or "TD_QE" (TDX)
  int64_t issueDate = 0;
  int64_t nextUpdate = 0;
  uint32_t miscSelect = 0;
  uint32_t miscSelectMask = 0;
  std::array<uint8_t, 16> attributes{};
  std::array<uint8_t, 16> attributesMask{};
  std::array<uint8_t, 32> mrSigner{};
  uint16_t isvProdId = 0;
  std::vector<IsvTcbLevel> levels;
};

struct DcapCollateral {
  std::string tcbInfoJson;  // exact signed bytes
  crypto::Bytes tcbInfoSignature;  // raw r||s
  std::vector<crypto::Certificate> tcbInfoChain;
  std::string qeIdentityJson;
  crypto::Bytes qeIdentitySignature;
  std::vector<crypto::Certificate> qeIdentityChain;
  std::optional<crypto::Crl> pckCrl;
  std::vector<crypto::Certificate> pckCrlChain;
  std::optional<crypto::Crl> rootCaCrl;
  // Filled by parseSignedCollateral() only after the signatures verified.
  TcbInfo tcbInfo;
  QeIdentity qeIdentity;
};

Result<DcapCollateral> parseDcapCollateral(std::string_view json);
Result<TcbInfo> parseTcbInfo(std::string_view json);
Result<QeIdentity> parseQeIdentity(std::string_view json);

}  // namespace clemmys::attest
