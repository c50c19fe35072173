#include "attest/dcap_quote.h"

#include <algorithm>
#include <cstring>

namespace clemmys::attest {
namespace {

constexpr uint16_t kAttKeyEcdsaP256 = 2;
constexpr std::array<uint8_t, 16> kIntelQeVendor = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                                    0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};
constexpr const char* kTrunc = "attest.quote_truncated";
constexpr size_t kMaxQuotePadding = 4096;

template <size_t N>
void copyAt(std::array<uint8_t, N>& out, ByteView b, size_t off) {
  std::memcpy(out.data(), b.data() + off, N);
}

TdReportBody parseTdBody(ByteView b) {
  TdReportBody t;
  copyAt(t.teeTcbSvn, b, 0);
  copyAt(t.mrSeam, b, 16);
  copyAt(t.mrSignerSeam, b, 64);
  copyAt(t.seamAttributes, b, 112);
  copyAt(t.tdAttributes, b, 120);
  copyAt(t.xfam, b, 128);
  copyAt(t.mrTd, b, 136);
  copyAt(t.mrConfigId, b, 184);
  copyAt(t.mrOwner, b, 232);
  copyAt(t.mrOwnerConfig, b, 280);
  for (size_t i = 0; i < 4; ++i) copyAt(t.rtmr[i], b, 328 + 48 * i);
  copyAt(t.reportData, b, 520);
  if (b.size() == kTd15BodySize) {
    t.td15 = true;
    copyAt(t.teeTcbSvn2, b, 584);
    copyAt(t.mrServiceTd, b, 600);
  }
  return t;
}

Result<QuoteHeader> parseHeader(ByteReader& r) {
  QuoteHeader h;
  auto version = r.u16("header.version");
  auto keyType = r.u16("header.att_key_type");
  auto tee = r.u32("header.tee_type");
  auto qeSvn = r.u16("header.qe_svn");
  auto pceSvn = r.u16("header.pce_svn");
  auto vendor = r.array<16>("header.qe_vendor_id");
  auto user = r.array<20>("header.user_data");
  if (!user) return std::unexpected(user.error());  // the longest read is last, so it fails whenever an earlier one did
  h = {*version, *keyType, *tee, *qeSvn, *pceSvn, *vendor, *user};
  if (h.version < 3 || h.version > 5) {
    return fail("attest.quote_unsupported_version", "quote version " + std::to_string(h.version));
  }
  if (h.attKeyType != kAttKeyEcdsaP256) {
    return fail("attest.quote_unsupported_key_type", "attestation key type " + std::to_string(h.attKeyType));
  }
  bool teeOk = h.version == 3 ? h.teeType == kTeeTypeSgx : (h.teeType == kTeeTypeSgx || h.teeType == kTeeTypeTdx);
  if (!teeOk) return fail("attest.quote_unknown_tee_type", "tee type " + std::to_string(h.teeType));
  if (h.qeVendorId != kIntelQeVendor) return fail("attest.quote_unknown_qe_vendor", "QE vendor is not Intel");
  return h;
}

// v5 inserts body_type u16 and body_size u32 before the body.
Result<size_t> bodySize(ByteReader& r, const QuoteHeader& h) {
  if (h.version < 5) return h.teeType == kTeeTypeTdx ? kTd10BodySize : kSgxReportBodySize;
  auto type = r.u16("body_type");
  auto size = r.u32("body_size");
  if (!size) return std::unexpected(size.error());
  size_t expected = 0;
  if (*type == 1 && h.teeType == kTeeTypeSgx) expected = kSgxReportBodySize;
  if (*type == 2 && h.teeType == kTeeTypeTdx) expected = kTd10BodySize;
  if (*type == 3 && h.teeType == kTeeTypeTdx) expected = kTd15BodySize;
  if (expected == 0) return fail("attest.quote_unknown_body_type", "body type " + std::to_string(*type));
  if (*size != expected) return fail("attest.quote_unknown_body_type", "body size " + std::to_string(*size));
  return expected;
}

// QE report ‖ signature ‖ auth data ‖ certification data: inline in v3, wrapped in
// certification data type 6 in v4/v5.
Status parseQeSection(ByteReader& r, DcapQuote& q, bool nested) {
  auto qeReport = r.take(kSgxReportBodySize, "qe_report");
  if (!qeReport) return std::unexpected(qeReport.error());
  auto qeSig = r.array<64>("qe_report_signature");
  if (!qeSig) return std::unexpected(qeSig.error());
  auto authLen = r.u16("qe_auth_data_len");
  if (!authLen) return std::unexpected(authLen.error());
  auto auth = r.take(*authLen, "qe_auth_data");
  if (!auth) return std::unexpected(auth.error());
  auto certType = r.u16("cert_data_type");
  if (!certType) return std::unexpected(certType.error());
  auto certSize = r.u32("cert_data_size");
  if (!certSize) return std::unexpected(certSize.error());
  auto certData = r.take(*certSize, "cert_data");
  if (!certData) return std::unexpected(certData.error());
  bool typeOk = nested ? *certType == kCertDataPckChainPem : (*certType >= 1 && *certType <= 3) || *certType == 5;
  if (!typeOk) return fail("attest.quote_unsupported_cert_type", "certification data type " + std::to_string(*certType));
  q.qeReportBytes = *qeReport;
  q.qeReport = parseSgxReportBody(*qeReport);
  q.qeReportSignature = *qeSig;
  q.qeAuthData = *auth;
  q.certDataType = *certType;
  q.certData = *certData;
  return {};
}

}  // namespace

SgxReportBody parseSgxReportBody(ByteView b) {
  SgxReportBody s;
  copyAt(s.cpuSvn, b, 0);
  s.miscSelect = static_cast<uint32_t>(loadLe(b, 16, 4));
  copyAt(s.attributes, b, 48);
  copyAt(s.mrEnclave, b, 64);
  copyAt(s.mrSigner, b, 128);
  s.isvProdId = static_cast<uint16_t>(loadLe(b, 256, 2));
  s.isvSvn = static_cast<uint16_t>(loadLe(b, 258, 2));
  copyAt(s.reportData, b, 320);
  return s;
}

Result<DcapQuote> parseDcapQuote(ByteView quote) {
  ByteReader r(quote, kTrunc);
  DcapQuote q;
  auto header = parseHeader(r);
  if (!header) return std::unexpected(header.error());
  q.header = *header;
  auto size = bodySize(r, q.header);
  if (!size) return std::unexpected(size.error());
  auto body = r.take(*size, "report body");
  if (!body) return std::unexpected(body.error());
  if (q.header.teeType == kTeeTypeTdx) {
    q.tdBody = parseTdBody(*body);
  } else {
    q.sgxBody = parseSgxReportBody(*body);
  }
  q.signedBytes = quote.subspan(0, r.offset());

  auto sigLen = r.u32("signature_data_len");
  if (!sigLen) return std::unexpected(sigLen.error());
  if (*sigLen > r.remaining()) return fail(kTrunc, "signature data length exceeds quote");
  if (*sigLen < r.remaining()) {
    // Quote generators may return the quote in a larger zeroed buffer (the real
    // TDX v4 sample carries 70 zero bytes). Zero padding, bounded, is tolerated:
    // it is outside every signature either way. Anything else is refused.
    ByteView pad = quote.subspan(r.offset() + *sigLen);
    bool zeros = pad.size() <= kMaxQuotePadding && std::all_of(pad.begin(), pad.end(), [](uint8_t b) { return b == 0; });
    if (!zeros) return fail("attest.quote_trailing_bytes", "bytes after signature data");
    quote = quote.subspan(0, r.offset() + *sigLen);
    r = ByteReader(quote, kTrunc);
    (void)r.take(quote.size() - *sigLen, "header and body");
  }
  auto sig = r.array<64>("quote_signature");
  auto key = r.array<64>("attestation_key");
  if (!key) return std::unexpected(key.error());
  q.quoteSignature = *sig;
  q.attestationKey = *key;
  if (q.header.version == 3) {
    if (auto st = parseQeSection(r, q, false); !st) return std::unexpected(st.error());
  } else {
    auto outerType = r.u16("cert_data_type");
    auto outerSize = r.u32("cert_data_size");
    if (!outerSize) return std::unexpected(outerSize.error());
    if (*outerType != kCertDataQeReport) {
      return fail("attest.quote_unsupported_cert_type", "outer certification data type " + std::to_string(*outerType));
    }
    auto outer = r.take(*outerSize, "cert_data");
    if (!outer) return std::unexpected(outer.error());
    ByteReader inner(*outer, kTrunc);
    if (auto st = parseQeSection(inner, q, true); !st) return std::unexpected(st.error());
    if (inner.remaining() != 0) return fail("attest.quote_trailing_bytes", "bytes after nested certification data");
  }
  if (r.remaining() != 0) return fail("attest.quote_trailing_bytes", "bytes after certification data");
  return q;
}

}  // namespace clemmys::attest
