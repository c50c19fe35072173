#include "attest/pck_extensions.h"

#include <cstring>

#include "crypto/der.h"

namespace clemmys::attest {
namespace {

using crypto::DerReader;

constexpr const char* kSgxExtensionOid = "1.2.840.113741.1.13.1";
constexpr const char* kBad = "attest.pck_extension_malformed";

Status parseTcb(crypto::ByteView tcbSeq, PckTcb& out, uint32_t& seenMask) {
  DerReader items(tcbSeq);
  while (!items.done()) {
    auto item = items.expect(crypto::kDerSequence);
    if (!item) return fail(kBad, item.error().message);
    DerReader pair(item->content);
    auto oid = pair.expect(crypto::kDerOid);
    if (!oid) return fail(kBad, oid.error().message);
    auto name = crypto::decodeOid(oid->content);
    auto value = pair.next();
    if (!name || !value) return fail(kBad, "bad TCB entry");
    std::string prefix = std::string(kSgxExtensionOid) + ".2.";
    if (name->rfind(prefix, 0) != 0) continue;
    int arc = std::atoi(name->c_str() + prefix.size());
    if (arc >= 1 && arc <= 17) {
      if (value->tag != crypto::kDerInteger) return fail(kBad, "TCB SVN not an INTEGER");
      auto v = crypto::decodeUnsigned(value->content);
      if (!v || *v > (arc == 17 ? 0xffffu : 0xffu)) return fail(kBad, "TCB SVN out of range");
      if (arc == 17) {
        out.pceSvn = static_cast<uint16_t>(*v);
      } else {
        out.sgxTcbComponents[arc - 1] = static_cast<uint8_t>(*v);
      }
      seenMask |= 1u << arc;
    }
  }
  return {};
}

template <size_t N>
Status octets(const crypto::DerElement& el, std::array<uint8_t, N>& out, const char* what) {
  if (el.tag != crypto::kDerOctetString || el.content.size() != N) {
    return fail(kBad, std::string(what) + " must be an OCTET STRING of " + std::to_string(N) + " bytes");
  }
  std::memcpy(out.data(), el.content.data(), N);
  return {};
}

}  // namespace

Result<PckTcb> parsePckExtensions(const crypto::Certificate& pckLeaf) {
  auto ext = pckLeaf.extension(kSgxExtensionOid);
  if (!ext) return fail("attest.pck_extension_missing", "PCK certificate has no SGX extension");
  DerReader outer(*ext);
  auto seq = outer.expect(crypto::kDerSequence);
  if (!seq || !outer.done()) return fail(kBad, "SGX extension is not one SEQUENCE");
  PckTcb out;
  uint32_t tcbSeen = 0;
  bool haveFmspc = false, havePceId = false, haveTcb = false;
  DerReader entries(seq->content);
  while (!entries.done()) {
    auto entry = entries.expect(crypto::kDerSequence);
    if (!entry) return fail(kBad, entry.error().message);
    DerReader pair(entry->content);
    auto oid = pair.expect(crypto::kDerOid);
    if (!oid) return fail(kBad, oid.error().message);
    auto name = crypto::decodeOid(oid->content);
    auto value = pair.next();
    if (!name || !value) return fail(kBad, "bad SGX extension entry");
    std::string n = *name;
    if (n == std::string(kSgxExtensionOid) + ".2") {
      if (value->tag != crypto::kDerSequence) return fail(kBad, "TCB is not a SEQUENCE");
      if (auto st = parseTcb(value->content, out, tcbSeen); !st) return std::unexpected(st.error());
      haveTcb = true;
    } else if (n == std::string(kSgxExtensionOid) + ".3") {
      if (auto st = octets(*value, out.pceId, "PCE-ID"); !st) return std::unexpected(st.error());
      havePceId = true;
    } else if (n == std::string(kSgxExtensionOid) + ".4") {
      if (auto st = octets(*value, out.fmspc, "FMSPC"); !st) return std::unexpected(st.error());
      haveFmspc = true;
    }
  }
  constexpr uint32_t kAllTcb = 0x3fffe;  // arcs 1..17
  if (!haveFmspc || !havePceId || !haveTcb || (tcbSeen & kAllTcb) != kAllTcb) {
    return fail(kBad, "SGX extension lacks FMSPC, PCE-ID or TCB components");
  }
  return out;
}

}  // namespace clemmys::attest
