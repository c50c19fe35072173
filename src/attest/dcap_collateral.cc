#include "attest/dcap_collateral.h"

#include <boost/json.hpp>
#include <cstring>

#include "common/encoding.h"

namespace clemmys::attest {
namespace {

namespace json = boost::json;
constexpr const char* kBad = "attest.collateral_malformed";

Result<json::object> parseObject(std::string_view text, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(kBad, std::string(what) + " is not a JSON object");
  return v.as_object();
}

Result<std::string> str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return fail(kBad, std::string("missing string '") + key + "'");
  return std::string(v->as_string());
}

Result<int64_t> integer(const json::object& o, const char* key, int64_t max) {
  auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64() || v->as_int64() < 0 || v->as_int64() > max) {
    return fail(kBad, std::string("missing or out-of-range integer '") + key + "'");
  }
  return v->as_int64();
}

Result<crypto::Bytes> hexField(const json::object& o, const char* key, size_t size) {
  auto s = str(o, key);
  if (!s) return std::unexpected(s.error());
  auto raw = fromHex(*s);
  if (!raw || (size != 0 && raw->size() != size)) return fail(kBad, std::string("bad hex field '") + key + "'");
  return crypto::Bytes(raw->begin(), raw->end());
}

template <size_t N>
Status hexInto(const json::object& o, const char* key, std::array<uint8_t, N>& out) {
  auto b = hexField(o, key, N);
  if (!b) return std::unexpected(b.error());
  std::memcpy(out.data(), b->data(), N);
  return {};
}

Result<int64_t> timeField(const json::object& o, const char* key) {
  auto s = str(o, key);
  if (!s) return std::unexpected(s.error());
  auto t = crypto::parseRfc3339(*s);
  if (!t) return fail(kBad, std::string("bad time '") + key + "'");
  return *t;
}

Result<std::vector<std::string>> advisories(const json::object& o) {
  std::vector<std::string> out;
  auto* v = o.if_contains("advisoryIDs");
  if (v == nullptr) return out;
  if (!v->is_array()) return fail(kBad, "advisoryIDs is not an array");
  for (const auto& a : v->as_array()) {
    if (!a.is_string()) return fail(kBad, "advisory ID is not a string");
    out.emplace_back(a.as_string());
  }
  return out;
}

Result<std::array<uint8_t, 16>> components(const json::object& tcb, const char* key) {
  auto* v = tcb.if_contains(key);
  if (v == nullptr || !v->is_array() || v->as_array().size() != 16) {
    return fail(kBad, std::string(key) + " must list 16 components");
  }
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < 16; ++i) {
    const auto& c = v->as_array()[i];
    if (!c.is_object()) return fail(kBad, "component is not an object");
    auto svn = integer(c.as_object(), "svn", 255);
    if (!svn) return std::unexpected(svn.error());
    out[i] = static_cast<uint8_t>(*svn);
  }
  return out;
}

Result<std::vector<IsvTcbLevel>> isvLevels(const json::object& o) {
  auto* v = o.if_contains("tcbLevels");
  if (v == nullptr || !v->is_array()) return fail(kBad, "missing tcbLevels");
  std::vector<IsvTcbLevel> out;
  for (const auto& lv : v->as_array()) {
    if (!lv.is_object() || !lv.as_object().contains("tcb") || !lv.as_object().at("tcb").is_object()) {
      return fail(kBad, "bad tcbLevel");
    }
    IsvTcbLevel level;
    auto svn = integer(lv.as_object().at("tcb").as_object(), "isvsvn", 0xffff);
    auto status = str(lv.as_object(), "tcbStatus");
    auto adv = advisories(lv.as_object());
    if (!svn || !status || !adv) return fail(kBad, "bad tcbLevel fields");
    level.isvSvn = static_cast<uint16_t>(*svn);
    level.status = *status;
    level.advisories = *adv;
    out.push_back(std::move(level));
  }
  return out;
}

Result<TdxModuleIdentity> moduleIdentity(const json::object& o, bool withLevels) {
  TdxModuleIdentity m;
  if (withLevels) {
    auto id = str(o, "id");
    if (!id) return std::unexpected(id.error());
    m.id = *id;
    auto levels = isvLevels(o);
    if (!levels) return std::unexpected(levels.error());
    m.levels = *levels;
  }
  auto signer = hexField(o, "mrsigner", 48);
  if (!signer) return std::unexpected(signer.error());
  m.mrSigner = *signer;
  if (auto st = hexInto(o, "attributes", m.attributes); !st) return std::unexpected(st.error());
  if (auto st = hexInto(o, "attributesMask", m.attributesMask); !st) return std::unexpected(st.error());
  return m;
}

Result<std::vector<crypto::Certificate>> chainField(const json::object& o, const char* key) {
  auto pem = str(o, key);
  if (!pem) return std::unexpected(pem.error());
  auto chain = crypto::Certificate::chainFromPem(*pem);
  if (!chain) return fail(kBad, std::string(key) + ": " + chain.error().message);
  return chain;
}

Result<crypto::Crl> crlField(const json::object& o, const char* key) {
  auto der = hexField(o, key, 0);
  if (!der) return std::unexpected(der.error());
  auto crl = crypto::Crl::fromDer(*der);
  if (!crl) return fail(kBad, std::string(key) + ": " + crl.error().message);
  return crl;
}

}  // namespace

Result<TcbInfo> parseTcbInfo(std::string_view text) {
  auto o = parseObject(text, "tcb_info");
  if (!o) return std::unexpected(o.error());
  TcbInfo info;
  auto id = str(*o, "id");
  auto version = integer(*o, "version", 100);
  auto issue = timeField(*o, "issueDate");
  auto next = timeField(*o, "nextUpdate");
  if (!id || !version || !issue || !next) return fail(kBad, "tcb_info lacks id/version/issueDate/nextUpdate");
  info.id = *id;
  info.version = static_cast<int>(*version);
  if ((info.id != "SGX" && info.id != "TDX") || info.version != 3) {
    return fail(kBad, "unsupported TCB Info " + info.id + " v" + std::to_string(info.version));
  }
  info.issueDate = *issue;
  info.nextUpdate = *next;
  if (auto st = hexInto(*o, "fmspc", info.fmspc); !st) return std::unexpected(st.error());
  if (auto st = hexInto(*o, "pceId", info.pceId); !st) return std::unexpected(st.error());
  auto* levels = o->if_contains("tcbLevels");
  if (levels == nullptr || !levels->is_array()) return fail(kBad, "missing tcbLevels");
  for (const auto& lv : levels->as_array()) {
    if (!lv.is_object() || !lv.as_object().contains("tcb") || !lv.as_object().at("tcb").is_object()) {
      return fail(kBad, "bad tcbLevel");
    }
    const auto& tcb = lv.as_object().at("tcb").as_object();
    TcbLevel level;
    auto sgx = components(tcb, "sgxtcbcomponents");
    auto pce = integer(tcb, "pcesvn", 0xffff);
    auto status = str(lv.as_object(), "tcbStatus");
    auto adv = advisories(lv.as_object());
    if (!sgx || !pce || !status || !adv) return fail(kBad, "bad tcbLevel fields");
    level.sgxComponents = *sgx;
    level.pceSvn = static_cast<uint16_t>(*pce);
    level.status = *status;
    level.advisories = *adv;
    if (info.id == "TDX") {
      auto tdx = components(tcb, "tdxtcbcomponents");
      if (!tdx) return std::unexpected(tdx.error());
      level.tdxComponents = *tdx;
    }
    info.levels.push_back(std::move(level));
  }
  if (info.id == "TDX") {
    auto* mod = o->if_contains("tdxModule");
    if (mod == nullptr || !mod->is_object()) return fail(kBad, "TDX TCB Info lacks tdxModule");
    auto m = moduleIdentity(mod->as_object(), false);
    if (!m) return std::unexpected(m.error());
    info.tdxModule = *m;
    if (auto* ids = o->if_contains("tdxModuleIdentities"); ids != nullptr) {
      if (!ids->is_array()) return fail(kBad, "tdxModuleIdentities is not an array");
      for (const auto& e : ids->as_array()) {
        if (!e.is_object()) return fail(kBad, "bad tdxModuleIdentity");
        auto mi = moduleIdentity(e.as_object(), true);
        if (!mi) return std::unexpected(mi.error());
        info.tdxModuleIdentities.push_back(std::move(*mi));
      }
    }
  }
  return info;
}

Result<QeIdentity> parseQeIdentity(std::string_view text) {
  auto o = parseObject(text, "qe_identity");
  if (!o) return std::unexpected(o.error());
  QeIdentity qe;
  auto id = str(*o, "id");
  auto version = integer(*o, "version", 100);
  auto issue = timeField(*o, "issueDate");
  auto next = timeField(*o, "nextUpdate");
  auto prod = integer(*o, "isvprodid", 0xffff);
  if (!id || !version || !issue || !next || !prod) return fail(kBad, "qe_identity lacks required fields");
  if ((*id != "QE" && *id != "TD_QE") || *version != 2) return fail(kBad, "unsupported QE Identity " + *id);
  qe.id = *id;
  qe.issueDate = *issue;
  qe.nextUpdate = *next;
  qe.isvProdId = static_cast<uint16_t>(*prod);
  std::array<uint8_t, 4> misc{}, miscMask{};
  if (auto st = hexInto(*o, "miscselect", misc); !st) return std::unexpected(st.error());
  if (auto st = hexInto(*o, "miscselectMask", miscMask); !st) return std::unexpected(st.error());
  // The JSON writes MISCSELECT as a big-endian hex number.
  qe.miscSelect = uint32_t(misc[0]) << 24 | uint32_t(misc[1]) << 16 | uint32_t(misc[2]) << 8 | misc[3];
  qe.miscSelectMask = uint32_t(miscMask[0]) << 24 | uint32_t(miscMask[1]) << 16 | uint32_t(miscMask[2]) << 8 | miscMask[3];
  if (auto st = hexInto(*o, "attributes", qe.attributes); !st) return std::unexpected(st.error());
  if (auto st = hexInto(*o, "attributesMask", qe.attributesMask); !st) return std::unexpected(st.error());
  if (auto st = hexInto(*o, "mrsigner", qe.mrSigner); !st) return std::unexpected(st.error());
  auto levels = isvLevels(*o);
  if (!levels) return std::unexpected(levels.error());
  qe.levels = *levels;
  return qe;
}

Result<DcapCollateral> parseDcapCollateral(std::string_view text) {
  auto o = parseObject(text, "collateral");
  if (!o) return std::unexpected(o.error());
  DcapCollateral c;
  auto tcbInfo = str(*o, "tcb_info");
  auto qeIdentity = str(*o, "qe_identity");
  auto tcbSig = hexField(*o, "tcb_info_signature", 64);
  auto qeSig = hexField(*o, "qe_identity_signature", 64);
  if (!tcbInfo || !qeIdentity || !tcbSig || !qeSig) return fail(kBad, "missing signed TCB Info or QE Identity");
  c.tcbInfoJson = *tcbInfo;
  c.qeIdentityJson = *qeIdentity;
  c.tcbInfoSignature = *tcbSig;
  c.qeIdentitySignature = *qeSig;
  auto tcbChain = chainField(*o, "tcb_info_issuer_chain");
  auto qeChain = chainField(*o, "qe_identity_issuer_chain");
  auto crlChain = chainField(*o, "pck_crl_issuer_chain");
  auto pckCrl = crlField(*o, "pck_crl");
  auto rootCrl = crlField(*o, "root_ca_crl");
  if (!tcbChain) return std::unexpected(tcbChain.error());
  if (!qeChain) return std::unexpected(qeChain.error());
  if (!crlChain) return std::unexpected(crlChain.error());
  if (!pckCrl) return std::unexpected(pckCrl.error());
  if (!rootCrl) return std::unexpected(rootCrl.error());
  c.tcbInfoChain = *tcbChain;
  c.qeIdentityChain = *qeChain;
  c.pckCrlChain = *crlChain;
  c.pckCrl = *pckCrl;
  c.rootCaCrl = *rootCrl;
  return c;
}

}  // namespace clemmys::attest
