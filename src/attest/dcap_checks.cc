#include "attest/dcap_checks.h"

#include <algorithm>
#include <string_view>

#include "crypto/digest.h"
#include "crypto/public_key.h"

namespace clemmys::attest {

Error renameChainError(const Error& e, const std::string& prefix) {
  constexpr std::string_view kChain = "crypto.chain_";
  if (e.name.rfind(kChain, 0) == 0) return Error{prefix + "_" + e.name.substr(kChain.size()), e.message};
  return Error{prefix + "_malformed", e.str()};
}

Result<std::vector<crypto::Certificate>> extractPckChain(const DcapQuote& quote,
                                                          const std::optional<std::string>& suppliedPem) {
  std::string_view pem;
  if (quote.certDataType == kCertDataPckChainPem) {
    pem = std::string_view(reinterpret_cast<const char*>(quote.certData.data()), quote.certData.size());
  } else if (suppliedPem) {
    pem = *suppliedPem;
  } else {
    return fail("attest.pck_chain_missing", "quote carries a PPID (certification data type " +
                                                std::to_string(quote.certDataType) + "); supply the PCK chain");
  }
  auto chain = crypto::Certificate::chainFromPem(pem);
  if (!chain) return fail("attest.pck_chain_malformed", chain.error().message);
  if (chain->size() < 2) return fail("attest.pck_chain_malformed", "PCK chain needs a leaf and a root");
  return chain;
}

Status checkPckChain(const std::vector<crypto::Certificate>& chain, crypto::ByteView rootSpki,
                     std::optional<int64_t> at) {
  auto st = crypto::verifyChain(chain, rootSpki, at);
  if (!st) return std::unexpected(renameChainError(st.error(), "attest.pck_chain"));
  return {};
}

Status checkQeReportSignature(const DcapQuote& quote, const crypto::Certificate& pckLeaf) {
  auto st = crypto::verifyEcdsaRaw(pckLeaf.publicKey(), crypto::HashAlg::kSha256, quote.qeReportBytes,
                                   quote.qeReportSignature);
  if (!st) return fail("attest.qe_report_signature_invalid", "QE report not signed by the PCK key");
  return {};
}

Status checkAttestationKeyBinding(const DcapQuote& quote) {
  crypto::Bytes input(quote.attestationKey.begin(), quote.attestationKey.end());
  input.insert(input.end(), quote.qeAuthData.begin(), quote.qeAuthData.end());
  auto digest = crypto::sha256(input);
  const auto& rd = quote.qeReport.reportData;
  bool ok = std::equal(digest.begin(), digest.end(), rd.begin()) &&
            std::all_of(rd.begin() + 32, rd.end(), [](uint8_t b) { return b == 0; });
  if (!ok) return fail("attest.attestation_key_binding_mismatch", "QE REPORTDATA does not bind the attestation key");
  return {};
}

Status checkQuoteSignature(const DcapQuote& quote, const DcapFlavour& flavour) {
  auto key = crypto::PublicKey::fromRawP256(quote.attestationKey);
  if (!key) return fail(flavour.errorPrefix + ".attestation_key_invalid", key.error().message);
  auto st = crypto::verifyEcdsaRaw(*key, crypto::HashAlg::kSha256, quote.signedBytes, quote.quoteSignature);
  if (!st) return fail(flavour.errorPrefix + ".quote_signature_invalid", "quote not signed by the attestation key");
  return {};
}

Status checkDebug(bool debug, bool allowDebug) {
  if (debug && !allowDebug) return fail("attest.debug_refused", "evidence comes from a debug TEE instance");
  return {};
}

}  // namespace clemmys::attest
