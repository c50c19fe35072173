// CollateralCache and parseSnpCertTable (collateral_cache.h); the rules are
// doc/formats/collateral-cache.md's, in its order.
#include "tee/collateral_cache.h"

#include <unistd.h>

#include <boost/json.hpp>

#include <array>
#include <cstring>

#include "common/encoding.h"
#include "tee/file_io.h"

namespace clemmys::tee {
namespace {

namespace json = boost::json;

constexpr std::string_view kPemBegin = "-----BEGIN CERTIFICATE-----";

std::string derToPem(std::string_view der) {
  std::string b64 = base64Encode(der);
  std::string pem = std::string(kPemBegin) + "\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END CERTIFICATE-----\n";
}

uint32_t readU32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(b[at + i])) << (8 * i);
  return v;
}

// GUID bytes in RFC 4122 string order.
using Guid = std::array<uint8_t, 16>;
constexpr Guid kVcek = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
constexpr Guid kVlek = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
constexpr Guid kAsk = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
constexpr Guid kArk = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

bool guidIs(std::string_view entry, const Guid& g) { return std::memcmp(entry.data(), g.data(), g.size()) == 0; }

std::unexpected<Error> tableError(const std::string& why) { return fail("tee.snp_cert_table_malformed", why); }

// Reads a required cache file: absent or unreadable is tee.collateral_missing,
// empty is tee.collateral_malformed.
Result<std::string> readRequired(const std::string& path) {
  auto text = readWholeFile(path, "tee.collateral_missing");
  if (!text) return std::unexpected(text.error());
  if (text->empty()) return fail("tee.collateral_malformed", path + " is empty");
  return text;
}

// Reads an optional cache file: absent is nullopt, anything else as readRequired.
Result<std::optional<std::string>> readOptional(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) return std::optional<std::string>();
  auto text = readRequired(path);
  if (!text) return std::unexpected(text.error());
  return std::optional<std::string>(std::move(*text));
}

Status checkPem(const std::string& path, const std::string& text) {
  if (text.find(kPemBegin) == std::string::npos) {
    return fail("tee.collateral_malformed", path + " holds no PEM certificate");
  }
  return {};
}

// The "id" of a signed JSON member of the bundle (structure only).
Result<std::string> signedId(const json::object& bundle, const char* member, const std::string& path) {
  try {
    auto inner = json::parse(bundle.at(member).as_string());
    return std::string(inner.as_object().at("id").as_string());
  } catch (const std::exception&) {
    return fail("tee.collateral_malformed", path + ": " + member + " is not a JSON object with an id");
  }
}

// Bundle structure (doc/formats/evidence.md) and which TEE it is for.
Status checkBundle(std::string_view type, const std::string& path, const std::string& text) {
  json::object bundle;
  try {
    bundle = json::parse(text).as_object();
    for (const char* m : {"tcb_info", "tcb_info_signature", "tcb_info_issuer_chain", "qe_identity",
                          "qe_identity_signature", "qe_identity_issuer_chain", "pck_crl", "pck_crl_issuer_chain",
                          "root_ca_crl"}) {
      if (!bundle.at(m).is_string()) throw std::invalid_argument(m);
    }
  } catch (const std::exception&) {
    return fail("tee.collateral_malformed", path + " is not a DCAP collateral bundle");
  }
  auto tcbId = signedId(bundle, "tcb_info", path);
  if (!tcbId) return std::unexpected(tcbId.error());
  auto qeId = signedId(bundle, "qe_identity", path);
  if (!qeId) return std::unexpected(qeId.error());
  bool tdx = type == "tdx";
  if (*tcbId != (tdx ? "TDX" : "SGX") || *qeId != (tdx ? "TD_QE" : "QE")) {
    return fail("tee.collateral_mismatch", path + " is for TCB Info " + *tcbId + " / QE Identity " + *qeId +
                                               ", not " + std::string(type));
  }
  return {};
}

}  // namespace

Result<VerifierInputs> parseSnpCertTable(std::string_view aux) {
  VerifierInputs out;
  std::optional<std::string> ask, ark;
  constexpr size_t kEntry = 24;
  for (size_t at = 0;; at += kEntry) {
    if (aux.empty()) break;
    if (at + kEntry > aux.size()) return tableError("no terminating zero entry");
    std::string_view entry = aux.substr(at, kEntry);
    if (entry.find_first_not_of('\0') == std::string_view::npos) break;
    uint32_t offset = readU32(entry, 16), length = readU32(entry, 20);
    if (length == 0 || offset > aux.size() || length > aux.size() - offset) {
      return tableError("entry " + std::to_string(at / kEntry) + " lies outside the blob");
    }
    std::string pem = derToPem(aux.substr(offset, length));
    std::optional<std::string>* slot = guidIs(entry, kVcek) || guidIs(entry, kVlek) ? &out.snpLeafCertPem
                                       : guidIs(entry, kAsk)                        ? &ask
                                       : guidIs(entry, kArk)                        ? &ark
                                                                                    : nullptr;
    if (slot == nullptr) continue;  // a CRL or a vendor entry
    if (*slot) return tableError("a certificate is listed twice (or both VCEK and VLEK)");
    *slot = std::move(pem);
  }
  if (ask.has_value() != ark.has_value()) return tableError("ASK without ARK or ARK without ASK");
  if (ask) out.snpCaChainPem = *ask + *ark;
  return out;
}

Status CollateralCache::complete(std::string_view type, VerifierInputs& inputs) const {
  if (type == "sgx" || type == "tdx") return completeDcap(type, inputs);
  if (type == "snp") return completeSnp(inputs);
  return {};
}

Status CollateralCache::completeDcap(std::string_view type, VerifierInputs& inputs) const {
  std::string sub = dir_ + "/" + std::string(type) + "/";
  if (!inputs.collateralJson) {
    auto bundle = readRequired(sub + "collateral.json");
    if (!bundle) return std::unexpected(bundle.error());
    if (auto st = checkBundle(type, sub + "collateral.json", *bundle); !st) return st;
    inputs.collateralJson = std::move(*bundle);
  }
  if (!inputs.pckChainPem) {
    auto chain = readOptional(sub + "pck_chain.pem");
    if (!chain) return std::unexpected(chain.error());
    if (*chain) {
      if (auto st = checkPem(sub + "pck_chain.pem", **chain); !st) return st;
      inputs.pckChainPem = std::move(**chain);
    }
  }
  return {};
}

Status CollateralCache::completeSnp(VerifierInputs& inputs) const {
  for (auto [field, name] : {std::pair{&inputs.snpLeafCertPem, "leaf.pem"}, std::pair{&inputs.snpCaChainPem, "ca_chain.pem"}}) {
    if (*field) continue;
    std::string path = dir_ + "/snp/" + name;
    auto pem = readRequired(path);
    if (!pem) return std::unexpected(pem.error());
    if (auto st = checkPem(path, *pem); !st) return st;
    *field = std::move(*pem);
  }
  return {};
}

Result<VerifierInputs> completeInputs(const CollateralCache* cache, std::string_view type, VerifierInputs inputs) {
  if (cache == nullptr) return inputs;
  if (auto st = cache->complete(type, inputs); !st) return std::unexpected(st.error());
  return inputs;
}

}  // namespace clemmys::tee
