#include "attest/snp_checks.h"

#include <algorithm>
#include <string>

#include "attest/dcap_checks.h"
#include "crypto/der.h"

namespace clemmys::attest {
namespace {

constexpr const char* kAmdOid = "1.3.6.1.4.1.3704.1.";

std::optional<crypto::Bytes> amdExtension(const crypto::Certificate& c, const std::string& suffix) {
  return c.extension(std::string(kAmdOid) + suffix);
}

}  // namespace

Result<SnpChain> buildSnpChain(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& cas,
                               std::optional<int64_t> at) {
  // Find the issuer by signature, never by name; then the pinned ARK above it.
  const crypto::Certificate* ask = nullptr;
  for (const auto& c : cas) {
    if (leaf.signedBy(c.publicKey())) ask = &c;
  }
  if (ask == nullptr) return fail("attest.snp.chain_signature_invalid", "no supplied CA signed the VCEK/VLEK");
  for (SnpProduct product : {SnpProduct::kMilan, SnpProduct::kGenoa, SnpProduct::kTurin}) {
    crypto::Bytes pinned = *amdArkSpki(product);
    for (const auto& ark : cas) {
      if (ark.publicKey().spkiDer() != pinned) continue;
      SnpChain chain{{leaf, *ask, ark}, product};
      if (auto st = crypto::verifyChain(chain.certs, pinned, at); !st) {
        return std::unexpected(renameChainError(st.error(), "attest.snp.chain"));
      }
      auto name = amdExtension(leaf, "2");
      if (name) {
        crypto::DerReader r(*name);
        auto s = r.expect(0x16);  // IA5String
        std::string expected = snpProductName(product);
        if (!s || std::string(s->content.begin(), s->content.end()).rfind(expected, 0) != 0) {
          return fail("attest.snp.product_mismatch", "leaf is not for " + expected);
        }
      }
      return chain;
    }
  }
  return fail("attest.snp.chain_untrusted_root", "no supplied ARK carries a pinned AMD root key");
}

Status checkSnpSignature(const SnpReport& report, const crypto::Certificate& leaf) {
  // P-384 scalars use 48 of the 72 bytes; the rest must be zero.
  auto highZero = [](const std::array<uint8_t, 72>& v) {
    return std::all_of(v.begin() + 48, v.end(), [](uint8_t b) { return b == 0; });
  };
  if (!highZero(report.sigR) || !highZero(report.sigS)) {
    return fail("attest.snp.report_signature_invalid", "signature scalars exceed 384 bits");
  }
  crypto::Bytes rs(96);
  std::reverse_copy(report.sigR.begin(), report.sigR.begin() + 48, rs.begin());
  std::reverse_copy(report.sigS.begin(), report.sigS.begin() + 48, rs.begin() + 48);
  auto st = crypto::verifyEcdsaRaw(leaf.publicKey(), crypto::HashAlg::kSha384, report.signedBytes, rs);
  if (!st) return fail("attest.snp.report_signature_invalid", "report not signed by the VCEK/VLEK");
  return {};
}

Status checkSnpChipId(const SnpReport& report, const crypto::Certificate& leaf) {
  if (report.maskChipKey() || report.signingKey() == 1) return {};
  auto hwid = amdExtension(leaf, "4");
  if (!hwid || hwid->size() != report.chipId.size() || !std::equal(hwid->begin(), hwid->end(), report.chipId.begin())) {
    return fail("attest.snp.chip_id_mismatch", "VCEK hwID differs from the report's CHIP_ID");
  }
  return {};
}

Status checkSnpTcb(const SnpReport& report, const crypto::Certificate& leaf, SnpProduct product) {
  struct Field {
    const char* oid;
    int byte;
  };
  // TCB_VERSION byte positions: Milan/Genoa {bl 0, tee 1, snp 6, ucode 7};
  // Turin {fmc 0, bl 1, tee 2, snp 3, ucode 7}.
  std::vector<Field> fields = {{"3.1", 0}, {"3.2", 1}, {"3.3", 6}, {"3.8", 7}};
  if (product == SnpProduct::kTurin) fields = {{"3.9", 0}, {"3.1", 1}, {"3.2", 2}, {"3.3", 3}, {"3.8", 7}};
  for (const auto& f : fields) {
    auto ext = amdExtension(leaf, f.oid);
    if (!ext) return fail("attest.snp.tcb_mismatch", std::string("leaf lacks TCB extension ") + f.oid);
    crypto::DerReader r(*ext);
    auto n = r.expect(crypto::kDerInteger);
    auto v = n ? crypto::decodeUnsigned(n->content) : Result<uint64_t>(std::unexpected(n.error()));
    uint64_t reported = (report.reportedTcb >> (8 * f.byte)) & 0xff;
    if (!v || *v != reported) {
      return fail("attest.snp.tcb_mismatch", std::string("REPORTED_TCB differs from leaf extension ") + f.oid);
    }
  }
  return {};
}

}  // namespace clemmys::attest
