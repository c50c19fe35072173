#include "kms/protocol.h"

#include <algorithm>

#include "crypto/digest.h"

namespace clemmys::kms {
namespace {

tee::ReportData padded(const crypto::Sha256Digest& digest) {
  tee::ReportData out{};
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

}  // namespace

tee::ReportData attestReportData(crypto::ByteView nonce, crypto::ByteView ephemeralPoint) {
  crypto::Bytes msg(kAttestLabel.begin(), kAttestLabel.end());
  msg.insert(msg.end(), nonce.begin(), nonce.end());
  msg.insert(msg.end(), ephemeralPoint.begin(), ephemeralPoint.end());
  return padded(crypto::sha256(msg));
}

tee::ReportData kmsTlsReportData(crypto::ByteView certificateDer) {
  auto certHash = crypto::sha256(certificateDer);
  crypto::Bytes msg(kKmsTlsLabel.begin(), kKmsTlsLabel.end());
  msg.insert(msg.end(), certHash.begin(), certHash.end());
  return padded(crypto::sha256(msg));
}

std::string rotateMessage(std::string_view session, std::string_view policyHash, uint32_t newVersion) {
  return "clemmys-rotate-v1\n" + std::string(session) + "\n" + std::string(policyHash) + "\n" +
         std::to_string(newVersion);
}

}  // namespace clemmys::kms
