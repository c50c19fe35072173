#include "crypto/public_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

namespace clemmys::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

}  // namespace

PublicKey PublicKey::adopt(EVP_PKEY* key) { return PublicKey(std::shared_ptr<EVP_PKEY>(key, PkeyFree{})); }

Result<PublicKey> PublicKey::fromSpkiDer(ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (key == nullptr) return fail("crypto.bad_public_key", "not a SubjectPublicKeyInfo");
  if (p != der.data() + der.size()) {
    EVP_PKEY_free(key);
    return fail("crypto.bad_public_key", "trailing bytes after SubjectPublicKeyInfo");
  }
  return adopt(key);
}

Result<PublicKey> PublicKey::fromRawP256(ByteView xy) {
  if (xy.size() != 64) return fail("crypto.bad_public_key", "raw P-256 key must be 64 bytes");
  unsigned char point[65];
  point[0] = 0x04;  // uncompressed SEC1 encoding
  std::copy(xy.begin(), xy.end(), point + 1);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
      OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok || key == nullptr) return fail("crypto.bad_public_key", "raw P-256 point rejected");
  // fromdata does not always validate the point; an off-curve key must not verify
  // (or agree on) anything. The quick check (on the curve, not infinity) suffices:
  // P-256 has cofactor 1, so the full check's n*Q multiplication adds nothing but
  // ~50 us per ECDH on the key-release path.
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  bool onCurve = check != nullptr && EVP_PKEY_public_check_quick(check) == 1;
  EVP_PKEY_CTX_free(check);
  if (!onCurve) {
    EVP_PKEY_free(key);
    return fail("crypto.bad_public_key", "P-256 point not on the curve");
  }
  return adopt(key);
}

Bytes PublicKey::spkiDer() const {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(key_.get(), &buf);
  if (len <= 0) return {};
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Status verifyEcdsaDer(const PublicKey& key, HashAlg hash, ByteView message, ByteView derSignature) {
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC) return fail("crypto.bad_public_key", "not an EC key");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return fail("crypto.signature_invalid", "out of memory");
  const char* md = hash == HashAlg::kSha256 ? "SHA256" : "SHA384";
  int rc = EVP_DigestVerifyInit_ex(ctx, nullptr, md, nullptr, nullptr, key.get(), nullptr);
  if (rc == 1) rc = EVP_DigestVerify(ctx, derSignature.data(), derSignature.size(), message.data(), message.size());
  EVP_MD_CTX_free(ctx);
  if (rc != 1) return fail("crypto.signature_invalid", "ECDSA signature does not verify");
  return {};
}

Status verifyEcdsaRaw(const PublicKey& key, HashAlg hash, ByteView message, ByteView rs) {
  if (rs.empty() || rs.size() % 2 != 0 || rs.size() > 264) {
    return fail("crypto.bad_signature_encoding", "raw ECDSA signature has odd or bad length");
  }
  size_t half = rs.size() / 2;
  BIGNUM* r = BN_bin2bn(rs.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(rs.data() + half, static_cast<int>(half), nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (r == nullptr || s == nullptr || sig == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return fail("crypto.bad_signature_encoding", "cannot encode ECDSA signature");
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return fail("crypto.bad_signature_encoding", "cannot encode ECDSA signature");
  Status st = verifyEcdsaDer(key, hash, message, ByteView(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  return st;
}

}  // namespace clemmys::crypto
