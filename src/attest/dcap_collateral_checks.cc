#include "attest/dcap_collateral_checks.h"

#include <algorithm>
#include <cstdio>

#include "attest/dcap_checks.h"
#include "crypto/public_key.h"

namespace clemmys::attest {
namespace {

Status checkSignedJson(const std::vector<crypto::Certificate>& chain, const std::string& json,
                       const crypto::Bytes& signature, crypto::ByteView rootSpki, std::optional<int64_t> at,
                       const std::string& prefix) {
  if (auto st = crypto::verifyChain(chain, rootSpki, at); !st) {
    return std::unexpected(renameChainError(st.error(), prefix + "_chain"));
  }
  auto st = crypto::verifyEcdsaRaw(chain.front().publicKey(), crypto::HashAlg::kSha256, crypto::asBytes(json), signature);
  if (!st) return fail(prefix + "_signature_invalid", "signature over the exact JSON does not verify");
  return {};
}

void mergeAdvisories(std::vector<std::string>& into, const std::vector<std::string>& more) {
  for (const auto& a : more) {
    if (std::find(into.begin(), into.end(), a) == into.end()) into.push_back(a);
  }
}

// Applies an OutOfDate component (QE or TDX module) to the platform status.
std::string downgrade(const std::string& platform) {
  if (platform == "UpToDate" || platform == "SWHardeningNeeded") return "OutOfDate";
  if (platform == "ConfigurationNeeded" || platform == "ConfigurationAndSWHardeningNeeded") {
    return "OutOfDateConfigurationNeeded";
  }
  return platform;
}

Result<IsvTcbLevel> evaluateTdxModule(const TdReportBody& td, const TcbInfo& info) {
  uint8_t moduleVersion = td.teeTcbSvn[1];
  uint8_t moduleSvn = td.teeTcbSvn[0];
  const TdxModuleIdentity* identity = nullptr;
  if (moduleVersion == 0) {
    identity = info.tdxModule ? &*info.tdxModule : nullptr;
  } else {
    char id[16];
    std::snprintf(id, sizeof(id), "TDX_%02u", static_cast<unsigned>(moduleVersion));
    for (const auto& m : info.tdxModuleIdentities) {
      if (m.id == id) identity = &m;
    }
  }
  if (identity == nullptr) {
    return fail("attest.tdx_module_identity_not_found", "no TDX module identity for version " + std::to_string(moduleVersion));
  }
  bool signerOk = identity->mrSigner.size() == td.mrSignerSeam.size() &&
                  std::equal(td.mrSignerSeam.begin(), td.mrSignerSeam.end(), identity->mrSigner.begin());
  bool attrOk = true;
  for (size_t i = 0; i < 8; ++i) attrOk &= (td.seamAttributes[i] & identity->attributesMask[i]) == identity->attributes[i];
  if (!signerOk || !attrOk) return fail("attest.tdx_module_mismatch", "MRSIGNERSEAM/SEAMATTRIBUTES differ from " + identity->id);
  if (moduleVersion == 0) return IsvTcbLevel{moduleSvn, "UpToDate", {}};
  for (const auto& level : identity->levels) {
    if (moduleSvn >= level.isvSvn) return level;
  }
  return fail("attest.tcb_level_not_found", "TDX module SVN " + std::to_string(moduleSvn) + " below every level");
}

}  // namespace

Status checkCollateralSignatures(const DcapCollateral& c, crypto::ByteView rootSpki, std::optional<int64_t> at) {
  if (auto st = checkSignedJson(c.tcbInfoChain, c.tcbInfoJson, c.tcbInfoSignature, rootSpki, at, "attest.tcb_info"); !st) {
    return st;
  }
  if (auto st = checkSignedJson(c.qeIdentityChain, c.qeIdentityJson, c.qeIdentitySignature, rootSpki, at,
                                "attest.qe_identity");
      !st) {
    return st;
  }
  if (auto st = crypto::verifyChain(c.pckCrlChain, rootSpki, at); !st) {
    return std::unexpected(renameChainError(st.error(), "attest.pck_crl_chain"));
  }
  if (!c.pckCrl->verifySignedBy(c.pckCrlChain.front().publicKey())) {
    return fail("attest.pck_crl_signature_invalid", "PCK CRL not signed by its issuer chain");
  }
  if (!c.rootCaCrl->verifySignedBy(c.pckCrlChain.back().publicKey())) {
    return fail("attest.root_crl_signature_invalid", "Root CA CRL not signed by the pinned root");
  }
  if (at && (!c.pckCrl->validAt(*at) || !c.rootCaCrl->validAt(*at))) {
    return fail("attest.crl_expired", "a CRL is not current at the evaluation time");
  }
  return {};
}

Status checkCollateralWindow(const DcapCollateral& c, int64_t at) {
  if (at < c.tcbInfo.issueDate || at > c.tcbInfo.nextUpdate) {
    return fail("attest.tcb_info_expired", "TCB Info is not current at the evaluation time");
  }
  if (at < c.qeIdentity.issueDate || at > c.qeIdentity.nextUpdate) {
    return fail("attest.qe_identity_expired", "QE Identity is not current at the evaluation time");
  }
  return {};
}

Status parseSignedCollateral(DcapCollateral& c) {
  auto info = parseTcbInfo(c.tcbInfoJson);
  if (!info) return std::unexpected(info.error());
  auto qe = parseQeIdentity(c.qeIdentityJson);
  if (!qe) return std::unexpected(qe.error());
  c.tcbInfo = std::move(*info);
  c.qeIdentity = std::move(*qe);
  return {};
}

Status checkRevocation(const std::vector<crypto::Certificate>& pckChain, const DcapCollateral& c) {
  const crypto::Certificate& leaf = pckChain.front();
  // The CRL must come from the leaf's actual issuer key, or "not listed" means nothing.
  crypto::Bytes crlIssuerKey = c.pckCrlChain.front().publicKey().spkiDer();
  if (pckChain.size() < 2 || pckChain[1].publicKey().spkiDer() != crlIssuerKey) {
    return fail("attest.pck_crl_wrong_issuer", "PCK CRL was not issued by the PCK leaf's CA");
  }
  if (c.pckCrl->revokes(leaf)) return fail("attest.pck_revoked", "PCK certificate is revoked");
  for (size_t i = 1; i + 1 < pckChain.size(); ++i) {
    if (c.rootCaCrl->revokes(pckChain[i])) return fail("attest.pck_ca_revoked", pckChain[i].subject() + " is revoked");
  }
  return {};
}

Result<IsvTcbLevel> evaluateQeIdentity(const SgxReportBody& qe, const QeIdentity& id, bool tdx) {
  if (id.id != (tdx ? "TD_QE" : "QE")) return fail("attest.qe_identity_wrong_type", "QE Identity is for " + id.id);
  if (qe.mrSigner != id.mrSigner) return fail("attest.qe_identity_mismatch", "QE MRSIGNER differs");
  if (qe.isvProdId != id.isvProdId) return fail("attest.qe_identity_mismatch", "QE ISVPRODID differs");
  if ((qe.miscSelect & id.miscSelectMask) != id.miscSelect) return fail("attest.qe_identity_mismatch", "QE MISCSELECT differs");
  for (size_t i = 0; i < 16; ++i) {
    if ((qe.attributes[i] & id.attributesMask[i]) != id.attributes[i]) {
      return fail("attest.qe_identity_mismatch", "QE ATTRIBUTES differ");
    }
  }
  for (const auto& level : id.levels) {
    if (qe.isvSvn >= level.isvSvn) return level;
  }
  return fail("attest.qe_tcb_level_not_found", "QE ISVSVN " + std::to_string(qe.isvSvn) + " below every level");
}

Result<TcbResult> evaluatePlatformTcb(const PckTcb& pck, const TcbInfo& info, const TdReportBody* td) {
  if (info.id != (td ? "TDX" : "SGX")) return fail("attest.tcb_info_wrong_type", "TCB Info is for " + info.id);
  if (info.fmspc != pck.fmspc) return fail("attest.tcb_info_fmspc_mismatch", "TCB Info is for another FMSPC");
  if (info.pceId != pck.pceId) return fail("attest.tcb_info_pceid_mismatch", "TCB Info is for another PCE ID");
  std::optional<IsvTcbLevel> module;
  if (td) {
    auto m = evaluateTdxModule(*td, info);
    if (!m) return std::unexpected(m.error());
    module = *m;
  }
  for (const auto& level : info.levels) {
    bool ok = level.pceSvn <= pck.pceSvn;
    for (size_t i = 0; i < 16 && ok; ++i) ok = level.sgxComponents[i] <= pck.sgxTcbComponents[i];
    if (ok && td && level.tdxComponents) {
      // With a versioned TDX module, components 0..1 (module SVN and version) are
      // judged by the module identity instead (QVL TcbLevelSelector).
      size_t first = td->teeTcbSvn[1] > 0 ? 2 : 0;
      for (size_t i = first; i < 16 && ok; ++i) ok = (*level.tdxComponents)[i] <= td->teeTcbSvn[i];
    }
    if (!ok) continue;
    TcbResult result{level.status, level.advisories};
    if (module) {
      if (module->status == "OutOfDate") result.status = downgrade(result.status);
      if (module->status == "Revoked") result.status = "Revoked";
      mergeAdvisories(result.advisories, module->advisories);
    }
    return result;
  }
  // Below every level: Intel's QVL calls this TCB_NOT_SUPPORTED. It is reported
  // as a status no policy accepts unless it names it, so the evidence's other
  // claims stay inspectable (dcap-qvl reports the same sample as "Unknown").
  TcbResult result{"TcbNotSupported", {}};
  if (module) mergeAdvisories(result.advisories, module->advisories);
  return result;
}

Result<TcbResult> convergeTcbStatus(const TcbResult& platform, const IsvTcbLevel& qe) {
  TcbResult out = platform;
  if (qe.status == "OutOfDate") out.status = downgrade(out.status);
  if (qe.status == "Revoked") out.status = "Revoked";
  mergeAdvisories(out.advisories, qe.advisories);
  if (out.status == "Revoked") return fail("attest.tcb_revoked", "TCB level is revoked");
  return out;
}

}  // namespace clemmys::attest
