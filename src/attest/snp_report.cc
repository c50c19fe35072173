#include "attest/snp_report.h"

#include <algorithm>
#include <cstring>

namespace clemmys::attest {
namespace {

template <size_t N>
void copyAt(std::array<uint8_t, N>& out, ByteView b, size_t off) {
  std::memcpy(out.data(), b.data() + off, N);
}

}  // namespace

Result<SnpReport> parseSnpReport(ByteView b) {
  if (b.size() != kSnpReportSize) {
    return fail("attest.snp.report_bad_length", "report is " + std::to_string(b.size()) + " bytes, expected 1184");
  }
  SnpReport r;
  r.version = static_cast<uint32_t>(loadLe(b, 0x00, 4));
  if (r.version != 2 && r.version != 3 && r.version != 5) {
    return fail("attest.snp.unsupported_version", "report version " + std::to_string(r.version));
  }
  r.guestSvn = static_cast<uint32_t>(loadLe(b, 0x04, 4));
  r.policy = loadLe(b, 0x08, 8);
  r.vmpl = static_cast<uint32_t>(loadLe(b, 0x30, 4));
  r.signatureAlgo = static_cast<uint32_t>(loadLe(b, 0x34, 4));
  r.platformInfo = loadLe(b, 0x40, 8);
  r.signerInfo = static_cast<uint32_t>(loadLe(b, 0x48, 4));
  if (r.signatureAlgo != 1) {
    return fail("attest.snp.unsupported_signature_algo", "signature algorithm " + std::to_string(r.signatureAlgo));
  }
  // ABI spec §4.3 "Guest Policy": bit 17 is reserved and must be one.
  if (((r.policy >> 17) & 1) == 0) return fail("attest.snp.policy_invalid", "policy bit 17 is clear");
  if (r.signingKey() > 1) return fail("attest.snp.report_malformed", "unknown signing key " + std::to_string(r.signingKey()));
  copyAt(r.reportData, b, 0x50);
  copyAt(r.measurement, b, 0x90);
  copyAt(r.hostData, b, 0xC0);
  copyAt(r.idKeyDigest, b, 0xE0);
  copyAt(r.authorKeyDigest, b, 0x110);
  r.reportedTcb = loadLe(b, 0x180, 8);
  copyAt(r.chipId, b, 0x1A0);
  copyAt(r.sigR, b, 0x2A0);
  copyAt(r.sigS, b, 0x2A0 + 72);
  if (!std::all_of(b.begin() + 0x2A0 + 144, b.end(), [](uint8_t x) { return x == 0; })) {
    return fail("attest.snp.report_malformed", "non-zero bytes after the signature");
  }
  r.signedBytes = b.subspan(0, kSnpSignedSize);
  return r;
}

}  // namespace clemmys::attest
