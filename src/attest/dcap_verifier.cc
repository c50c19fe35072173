#include "attest/dcap_verifier.h"

#include "attest/dcap_checks.h"
#include "attest/dcap_collateral_checks.h"
#include "attest/pck_extensions.h"

namespace clemmys::attest {
namespace {

template <size_t N>
crypto::Bytes toBytes(const std::array<uint8_t, N>& a) {
  return crypto::Bytes(a.begin(), a.end());
}

Claims claimsFromQuote(const DcapQuote& q, EvidenceType type) {
  Claims c;
  c.type = type;
  c.insecure = type == EvidenceType::kSim;
  if (q.sgxBody) {
    c.measurement = toBytes(q.sgxBody->mrEnclave);
    c.signer = toBytes(q.sgxBody->mrSigner);
    c.productId = q.sgxBody->isvProdId;
    c.svn = q.sgxBody->isvSvn;
    c.debug = q.sgxBody->debug();
    c.reportData = toBytes(q.sgxBody->reportData);
  } else {
    c.measurement = toBytes(q.tdBody->mrTd);
    c.debug = q.tdBody->debug();
    c.reportData = toBytes(q.tdBody->reportData);
    for (const auto& r : q.tdBody->rtmr) c.rtmrs.push_back(toBytes(r));
    c.mrConfigId = toBytes(q.tdBody->mrConfigId);
    c.mrOwner = toBytes(q.tdBody->mrOwner);
  }
  return c;
}

}  // namespace

Result<std::vector<crypto::Certificate>> DcapVerifier::verifiedPckChain(
    const DcapQuote& quote, const VerifyOptions& options, std::optional<int64_t> at) const {
  crypto::ByteView source =
      quote.certDataType == kCertDataPckChainPem || !options.pckChainPem
          ? crypto::ByteView(quote.certData)
          : crypto::asBytes(*options.pckChainPem);
  crypto::Sha256Digest key = crypto::sha256(source);
  {
    std::lock_guard lock(cacheMutex_);
    auto it = chainCache_.find(key);
    if (it != chainCache_.end()) {
      bool valid = true;
      for (const auto& cert : it->second) valid = valid && (!at || cert.validAt(*at));
      // Outside its validity the chain takes the full path below, for the exact error.
      if (valid) return it->second;
    }
  }
  auto chain = extractPckChain(quote, options.pckChainPem);
  if (!chain) return std::unexpected(chain.error());
  if (auto st = checkPckChain(*chain, rootSpki_, at); !st) return std::unexpected(st.error());
  std::lock_guard lock(cacheMutex_);
  if (chainCache_.size() >= kMaxCachedChains) chainCache_.clear();
  chainCache_.emplace(key, *chain);
  return chain;
}

DcapVerifier::DcapVerifier(EvidenceType expected, crypto::Bytes rootSpki, const Clock& clock)
    : expected_(expected), rootSpki_(std::move(rootSpki)), clock_(clock) {}

Result<Claims> DcapVerifier::verify(crypto::ByteView evidence, const VerifyOptions& options) const {
  const bool tdx = expected_ == EvidenceType::kTdx;
  const DcapFlavour flavour{std::string("attest.") + evidenceTypeName(expected_)};
  std::optional<int64_t> at;
  if (options.checkTime) at = options.evaluationTime ? *options.evaluationTime : clock_.nowMs() / 1000;

  // 1. Strict parse, and the TEE type this verifier is for.
  auto quote = parseDcapQuote(evidence);
  if (!quote) return std::unexpected(quote.error());
  if (tdx != quote->tdBody.has_value()) {
    return fail("attest.quote_wrong_tee", std::string("expected ") + evidenceTypeName(expected_) + " evidence");
  }
  // 2. PCK chain to the pinned root.
  auto chain = verifiedPckChain(*quote, options, at);
  if (!chain) return std::unexpected(chain.error());
  // 3. QE report signed by the PCK key.
  if (auto st = checkQeReportSignature(*quote, chain->front()); !st) return std::unexpected(st.error());
  // 4. QE report binds the attestation key.
  if (auto st = checkAttestationKeyBinding(*quote); !st) return std::unexpected(st.error());
  // 5. Quote signed by the attestation key.
  if (auto st = checkQuoteSignature(*quote, flavour); !st) return std::unexpected(st.error());

  Claims claims = claimsFromQuote(*quote, expected_);
  // 6-7. Collateral: signatures, revocation, QE identity, platform TCB.
  if (options.collateralJson) {
    auto collateral = parseDcapCollateral(*options.collateralJson);
    if (!collateral) return std::unexpected(collateral.error());
    if (auto st = checkCollateralSignatures(*collateral, rootSpki_, at); !st) return std::unexpected(st.error());
    if (auto st = parseSignedCollateral(*collateral); !st) return std::unexpected(st.error());
    if (at) {
      if (auto st = checkCollateralWindow(*collateral, *at); !st) return std::unexpected(st.error());
    }
    if (auto st = checkRevocation(*chain, *collateral); !st) return std::unexpected(st.error());
    auto qeLevel = evaluateQeIdentity(quote->qeReport, collateral->qeIdentity, tdx);
    if (!qeLevel) return std::unexpected(qeLevel.error());
    auto pck = parsePckExtensions(chain->front());
    if (!pck) return std::unexpected(pck.error());
    auto platform = evaluatePlatformTcb(*pck, collateral->tcbInfo, tdx ? &*quote->tdBody : nullptr);
    if (!platform) return std::unexpected(platform.error());
    auto tcb = convergeTcbStatus(*platform, *qeLevel);
    if (!tcb) return std::unexpected(tcb.error());
    claims.tcbStatus = tcb->status;
    claims.advisories = tcb->advisories;
  }
  // 8. Policy that no caller may skip silently: debug instances.
  if (auto st = checkDebug(claims.debug, options.allowDebug); !st) return std::unexpected(st.error());
  return claims;
}

}  // namespace clemmys::attest
