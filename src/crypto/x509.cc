#include "crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace clemmys::crypto {
namespace {

struct X509Free {
  void operator()(X509* c) const { X509_free(c); }
};
struct CrlFree {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};

bool blankTail(std::string_view s) {
  for (char c : s) {
    if (c != '\0' && c != '\n' && c != '\r' && c != ' ' && c != '\t') return false;
  }
  return true;
}

}  // namespace

Result<Certificate> Certificate::fromDer(ByteView der) {
  const unsigned char* p = der.data();
  X509* c = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (c == nullptr) return fail("crypto.bad_certificate", "not a DER certificate");
  if (p != der.data() + der.size()) {
    X509_free(c);
    return fail("crypto.bad_certificate", "trailing bytes after certificate");
  }
  return Certificate(std::shared_ptr<X509>(c, X509Free{}));
}

Result<std::vector<Certificate>> Certificate::chainFromPem(std::string_view pem) {
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<Certificate> out;
  size_t pos = 0;
  while (true) {
    size_t begin = pem.find(kBegin, pos);
    if (begin == std::string_view::npos) {
      if (!blankTail(pem.substr(pos))) return fail("crypto.bad_certificate", "junk after PEM chain");
      break;
    }
    if (!blankTail(pem.substr(pos, begin - pos))) return fail("crypto.bad_certificate", "junk between PEM blocks");
    size_t end = pem.find(kEnd, begin);
    if (end == std::string_view::npos) return fail("crypto.bad_certificate", "unterminated PEM block");
    end += kEnd.size();
    std::string_view block = pem.substr(begin, end - begin);
    BIO* bio = BIO_new_mem_buf(block.data(), static_cast<int>(block.size()));
    X509* c = bio ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    if (c == nullptr) return fail("crypto.bad_certificate", "cannot parse PEM certificate");
    out.push_back(Certificate(std::shared_ptr<X509>(c, X509Free{})));
    pos = end;
  }
  if (out.empty()) return fail("crypto.bad_certificate", "no certificate in PEM");
  return out;
}

Bytes Certificate::der() const {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert_.get(), &buf);
  if (len <= 0) return {};
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

PublicKey Certificate::publicKey() const { return PublicKey::adopt(X509_get_pubkey(cert_.get())); }

std::string Certificate::subject() const {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert_.get()), buf, sizeof(buf));
  return buf;
}

bool Certificate::signedBy(const PublicKey& issuerKey) const {
  return issuerKey.get() != nullptr && X509_verify(cert_.get(), issuerKey.get()) == 1;
}

bool Certificate::validAt(int64_t t) const {
  time_t tt = static_cast<time_t>(t);
  return X509_cmp_time(X509_get0_notBefore(cert_.get()), &tt) <= 0 &&
         X509_cmp_time(X509_get0_notAfter(cert_.get()), &tt) >= 0;
}

bool Certificate::notYetValidAt(int64_t t) const {
  time_t tt = static_cast<time_t>(t);
  return X509_cmp_time(X509_get0_notBefore(cert_.get()), &tt) > 0;
}

bool Certificate::isCa() const {
  if (X509_check_ca(cert_.get()) != 1) return false;  // 1 = basicConstraints cA=TRUE
  uint32_t ku = X509_get_key_usage(cert_.get());
  return ku == UINT32_MAX || (ku & KU_KEY_CERT_SIGN) != 0;  // UINT32_MAX: extension absent
}

std::optional<Bytes> Certificate::extension(std::string_view dottedOid) const {
  ASN1_OBJECT* obj = OBJ_txt2obj(std::string(dottedOid).c_str(), 1);
  if (obj == nullptr) return std::nullopt;
  int idx = X509_get_ext_by_OBJ(cert_.get(), obj, -1);
  ASN1_OBJECT_free(obj);
  if (idx < 0) return std::nullopt;
  ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert_.get(), idx));
  const unsigned char* p = ASN1_STRING_get0_data(data);
  return Bytes(p, p + ASN1_STRING_length(data));
}

Result<Crl> Crl::fromDer(ByteView der) {
  const unsigned char* p = der.data();
  X509_CRL* c = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
  if (c == nullptr) return fail("crypto.bad_crl", "not a DER CRL");
  if (p != der.data() + der.size()) {
    X509_CRL_free(c);
    return fail("crypto.bad_crl", "trailing bytes after CRL");
  }
  return Crl(std::shared_ptr<X509_CRL>(c, CrlFree{}));
}

Status Crl::verifySignedBy(const PublicKey& issuerKey) const {
  if (issuerKey.get() == nullptr || X509_CRL_verify(crl_.get(), issuerKey.get()) != 1) {
    return fail("crypto.crl_signature_invalid", "CRL signature does not verify");
  }
  return {};
}

bool Crl::validAt(int64_t t) const {
  time_t tt = static_cast<time_t>(t);
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl_.get());
  if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl_.get()), &tt) > 0) return false;
  return next == nullptr || X509_cmp_time(next, &tt) >= 0;
}

bool Crl::revokes(const Certificate& cert) const {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl_.get()), X509_get_issuer_name(cert.get())) != 0) return false;
  X509_REVOKED* entry = nullptr;
  return X509_CRL_get0_by_cert(crl_.get(), &entry, cert.get()) == 1;
}

Status verifyChain(const std::vector<Certificate>& chain, ByteView pinnedRootSpki, std::optional<int64_t> at) {
  if (chain.empty()) return fail("crypto.chain_empty", "no certificates");
  const Certificate& root = chain.back();
  Bytes rootSpki = root.publicKey().spkiDer();
  if (rootSpki.size() != pinnedRootSpki.size() ||
      !std::equal(rootSpki.begin(), rootSpki.end(), pinnedRootSpki.begin())) {
    return fail("crypto.chain_untrusted_root", "root key is not the pinned key (subject " + root.subject() + ")");
  }
  if (!root.signedBy(root.publicKey())) return fail("crypto.chain_signature_invalid", "root is not self-signed");
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    const Certificate& issuer = chain[i + 1];
    if (!issuer.isCa()) return fail("crypto.chain_not_ca", issuer.subject() + " is not a CA");
    if (!chain[i].signedBy(issuer.publicKey())) {
      return fail("crypto.chain_signature_invalid", chain[i].subject() + " not signed by " + issuer.subject());
    }
  }
  if (at) {
    for (const Certificate& c : chain) {
      if (c.notYetValidAt(*at)) return fail("crypto.chain_not_yet_valid", c.subject());
      if (!c.validAt(*at)) return fail("crypto.chain_expired", c.subject());
    }
  }
  return {};
}

Result<int64_t> parseRfc3339(std::string_view s) {
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, se;
  if (!digits(0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' ||
      !digits(17, 2, se)) {
    return fail("crypto.bad_time", "not an RFC 3339 timestamp: " + std::string(s));
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
    return fail("crypto.bad_time", "field out of range: " + std::string(s));
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return fail("crypto.bad_time", "empty fraction");
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    // UTC
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh, om;
    if (!digits(pos + 1, 2, oh) || !digits(pos + 4, 2, om)) return fail("crypto.bad_time", "bad offset");
    offset = (oh * 3600 + om * 60) * (s[pos] == '+' ? 1 : -1);
  } else {
    return fail("crypto.bad_time", "missing time zone: " + std::string(s));
  }
  // Days from civil (Howard Hinnant's algorithm), avoiding timegm's TZ dependence.
  int yy = y - (mo <= 2);
  int era = (yy >= 0 ? yy : yy - 399) / 400;
  int yoe = yy - era * 400;
  int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + se - offset;
}

}  // namespace clemmys::crypto
