// The KMS wire protocol's cryptographic bindings (doc/formats/kms-api.md),
// shared by the KMS and its clients (runtime, gateway, CLI). Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "crypto/bytes.h"
#include "tee/attester.h"

namespace clemmys::kms {

inline constexpr std::string_view kAttestLabel = "clemmys-attest-v1";
inline constexpr std::string_view kKmsTlsLabel = "clemmys-kms-tls-v1";
// Sealed-box context of a released configuration (crypto/sealed_box.h).
inline constexpr std::string_view kReleaseContext = "clemmys-kms-release-v1";
inline constexpr size_t kNonceSize = 32;

// SHA-256("clemmys-attest-v1" || nonce || ephemeral public point) || 0^32.
tee::ReportData attestReportData(crypto::ByteView nonce, crypto::ByteView ephemeralPoint);
// SHA-256("clemmys-kms-tls-v1" || SHA-256(certificate DER)) || 0^32.
tee::ReportData kmsTlsReportData(crypto::ByteView certificateDer);
// Message an owner signs to rotate a session's application key:
// "clemmys-rotate-v1\n" || session || "\n" || current policy hash || "\n" || new key version.
std::string rotateMessage(std::string_view session, std::string_view policyHash, uint32_t newVersion);

}  // namespace clemmys::kms
