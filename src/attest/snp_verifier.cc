#include "attest/snp_verifier.h"

#include "attest/dcap_checks.h"
#include "attest/snp_checks.h"

namespace clemmys::attest {
namespace {

Result<crypto::Certificate> parseLeaf(const std::string& text) {
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    auto chain = crypto::Certificate::chainFromPem(text);
    if (!chain || chain->size() != 1) return fail("attest.snp.chain_malformed", "leaf PEM must hold one certificate");
    return chain->front();
  }
  auto cert = crypto::Certificate::fromDer(crypto::asBytes(text));
  if (!cert) return fail("attest.snp.chain_malformed", cert.error().message);
  return cert;
}

}  // namespace

Result<Claims> SnpVerifier::verify(crypto::ByteView evidence, const VerifyOptions& options) const {
  std::optional<int64_t> at;
  if (options.checkTime) at = options.evaluationTime ? *options.evaluationTime : clock_.nowMs() / 1000;
  auto report = parseSnpReport(evidence);
  if (!report) return std::unexpected(report.error());
  if (!options.snpLeafCert || !options.snpCaChainPem) {
    return fail("attest.snp.leaf_missing", "SEV-SNP verification needs the VCEK/VLEK and the ASK/ARK chain");
  }
  auto leaf = parseLeaf(*options.snpLeafCert);
  if (!leaf) return std::unexpected(leaf.error());
  auto cas = crypto::Certificate::chainFromPem(*options.snpCaChainPem);
  if (!cas) return fail("attest.snp.chain_malformed", cas.error().message);
  auto chain = buildSnpChain(*leaf, *cas, at);
  if (!chain) return std::unexpected(chain.error());
  bool leafIsVlek = leaf->subject().find("CN=SEV-VLEK") != std::string::npos;
  if (leafIsVlek != (report->signingKey() == 1)) {
    return fail("attest.snp.signing_key_mismatch", "report's SIGNING_KEY does not name this certificate type");
  }
  if (auto st = checkSnpSignature(*report, *leaf); !st) return std::unexpected(st.error());
  if (auto st = checkSnpChipId(*report, *leaf); !st) return std::unexpected(st.error());
  if (auto st = checkSnpTcb(*report, *leaf, chain->product); !st) return std::unexpected(st.error());

  Claims claims;
  claims.type = EvidenceType::kSnp;
  claims.measurement.assign(report->measurement.begin(), report->measurement.end());
  if (report->authorKeyEnabled()) claims.signer.assign(report->authorKeyDigest.begin(), report->authorKeyDigest.end());
  claims.svn = report->guestSvn;
  claims.debug = report->debug();
  claims.reportData.assign(report->reportData.begin(), report->reportData.end());
  // ABI spec §4.3: policy bit 19 DEBUG lets the host read and write guest memory.
  if (auto st = checkDebug(claims.debug, options.allowDebug); !st) return std::unexpected(st.error());
  return claims;
}

}  // namespace clemmys::attest
