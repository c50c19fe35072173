#include "simtee/quote_builder.h"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <string_view>

namespace clemmys::simtee {
namespace {

constexpr uint8_t kIntelQeVendor[16] = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                         0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};
constexpr uint16_t kQeSvn = 1, kPceSvn = 1;

// DCAP quotes are little-endian.
void putLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put(std::string& out, const uint8_t* p, size_t n) { out.append(reinterpret_cast<const char*>(p), n); }
void zeros(std::string& out, size_t n) { out.append(n, '\0'); }

struct ReportBodyFields {
  crypto::Sha256Digest mrEnclave{};
  crypto::Sha256Digest mrSigner{};
  uint16_t isvProdId = 0, isvSvn = 0;
  std::array<uint8_t, 64> reportData{};
};

// SGX REPORTBODY, 384 bytes. Attributes: INIT | MODE64BIT; DEBUG (bit 1) clear.
std::string reportBody(const ReportBodyFields& f) {
  std::string b;
  zeros(b, 16);  // CPUSVN
  putLe(b, 0, 4);  // MISCSELECT
  zeros(b, 28);
  uint8_t attributes[16] = {0x05, 0, 0, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0};  // flags, XFRM x87|SSE
  put(b, attributes, 16);
  put(b, f.mrEnclave.data(), 32);
  zeros(b, 32);
  put(b, f.mrSigner.data(), 32);
  zeros(b, 96);
  putLe(b, f.isvProdId, 2);
  putLe(b, f.isvSvn, 2);
  zeros(b, 60);
  put(b, f.reportData.data(), 64);
  return b;
}

Result<std::array<uint8_t, 64>> signRaw(const crypto::EcPrivateKey& key, std::string_view message) {
  auto der = key.sign(crypto::asBytes(message));
  if (!der) return fail("simtee.sign_failed", der.error().str());
  const unsigned char* p = der->data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size()));
  if (sig == nullptr) return fail("simtee.sign_failed", "cannot decode ECDSA signature");
  std::array<uint8_t, 64> rs{};
  bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs.data(), 32) == 32 &&
            BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs.data() + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  if (!ok) return fail("simtee.sign_failed", "signature scalar too long");
  return rs;
}

std::array<uint8_t, 64> rawPoint(const crypto::EcPrivateKey& key) {
  crypto::Bytes point = key.publicPoint();  // 0x04 || x || y
  std::array<uint8_t, 64> xy{};
  if (point.size() == 65) std::copy(point.begin() + 1, point.end(), xy.begin());
  return xy;
}

}  // namespace

crypto::Sha256Digest simMrSigner() { return crypto::sha256(crypto::asBytes("clemmys-simtee/mrsigner/v1")); }

Result<std::string> buildQuote(const Installation& inst, const crypto::Sha256Digest& measurement,
                               const tee::ReportData& reportData) {
  // Header: version 3, attestation key type 2 (ECDSA-256-with-P-256), TEE
  // type 0 (SGX), QE/PCE SVN, Intel's QE vendor id, user data = first 20 bytes
  // of SHA-256(PCK leaf SPKI) as a platform identifier.
  std::string quote;
  putLe(quote, 3, 2);
  putLe(quote, 2, 2);
  putLe(quote, 0, 4);
  putLe(quote, kQeSvn, 2);
  putLe(quote, kPceSvn, 2);
  put(quote, kIntelQeVendor, 16);
  auto platformId = crypto::sha256(inst.pckCert.publicKey().spkiDer());
  put(quote, platformId.data(), 20);

  ReportBodyFields isv;
  isv.mrEnclave = measurement;
  isv.mrSigner = simMrSigner();
  isv.reportData = reportData;
  quote += reportBody(isv);

  auto quoteSig = signRaw(inst.attestationKey, quote);
  if (!quoteSig) return std::unexpected(quoteSig.error());
  std::array<uint8_t, 64> attKey = rawPoint(inst.attestationKey);
  std::string authData;
  for (int i = 0; i < 32; ++i) authData.push_back(static_cast<char>(i));

  // QE report: REPORTDATA = SHA-256(attestation key || QE auth data) || 0^32.
  std::string binding(reinterpret_cast<const char*>(attKey.data()), attKey.size());
  binding += authData;
  auto bindingHash = crypto::sha256(crypto::asBytes(binding));
  ReportBodyFields qe;
  qe.mrEnclave = crypto::sha256(crypto::asBytes("clemmys-simtee/quoting-enclave/v1"));
  qe.mrSigner = simMrSigner();
  qe.isvProdId = 1;
  qe.isvSvn = kQeSvn;
  std::copy(bindingHash.begin(), bindingHash.end(), qe.reportData.begin());
  std::string qeReport = reportBody(qe);
  auto qeSig = signRaw(inst.pckKey, qeReport);
  if (!qeSig) return std::unexpected(qeSig.error());

  std::string certData = inst.pckChainPem();
  std::string sigData;
  put(sigData, quoteSig->data(), 64);
  put(sigData, attKey.data(), 64);
  sigData += qeReport;
  put(sigData, qeSig->data(), 64);
  putLe(sigData, authData.size(), 2);
  sigData += authData;
  putLe(sigData, 5, 2);
  putLe(sigData, certData.size(), 4);
  sigData += certData;

  putLe(quote, sigData.size(), 4);
  quote += sigData;
  return quote;
}

}  // namespace clemmys::simtee
