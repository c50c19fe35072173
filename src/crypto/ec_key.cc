#include "crypto/ec_key.h"

#include "crypto/pem_writer.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

namespace clemmys::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
std::shared_ptr<EVP_PKEY> own(EVP_PKEY* k) { return std::shared_ptr<EVP_PKEY>(k, PkeyFree{}); }

bool onP256(EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &len) != 1) {
    return false;
  }
  return std::strcmp(group, "prime256v1") == 0;
}

}  // namespace

bool isP256(const PublicKey& key) { return onP256(key.get()); }

Result<EcPrivateKey> EcPrivateKey::generateP256() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return fail("crypto.keygen_failed", "P-256 key generation failed");
  return EcPrivateKey(own(key));
}

Result<EcPrivateKey> EcPrivateKey::fromPem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return fail("crypto.bad_private_key", "out of memory");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return fail("crypto.bad_private_key", "not a PEM private key");
  if (!onP256(key)) {
    EVP_PKEY_free(key);
    return fail("crypto.bad_private_key", "private key is not ECDSA P-256");
  }
  return EcPrivateKey(own(key));
}

SecretBytes EcPrivateKey::toPem() const {
  BIO* bio = BIO_new(BIO_s_secmem());
  if (bio == nullptr) return {};
  SecretBytes out;
  if (PEM_write_bio_PKCS8PrivateKey(bio, key_.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (len > 0) out = SecretBytes(ByteView(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len)));
  }
  BIO_free(bio);
  return out;
}

PublicKey EcPrivateKey::publicKey() const {
  // Rebuilt from the public point so the PublicKey holds no private half
  // (via fromdata: OpenSSL 3's SPKI decoder path is ~10x slower).
  auto pub = p256FromPoint(publicPoint());
  return *pub;  // our own point is always valid
}

Bytes EcPrivateKey::publicPoint() const {
  Bytes point(kP256PointSize);
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) != 1 ||
      len != kP256PointSize) {
    return {};
  }
  return point;
}

Result<Bytes> EcPrivateKey::sign(ByteView message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return fail("crypto.sign_failed", "out of memory");
  size_t len = 0;
  Bytes sig;
  bool ok = EVP_DigestSignInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, key_.get(), nullptr) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, message.data(), message.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx, sig.data(), &len, message.data(), message.size()) == 1;
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return fail("crypto.sign_failed", "ECDSA signing failed");
  return sig;
}

Result<SecretBytes> EcPrivateKey::ecdh(const PublicKey& peer) const {
  if (!isP256(peer)) return fail("crypto.bad_public_key", "ECDH peer is not a P-256 key");
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr);
  size_t len = 0;
  bool ok = ctx != nullptr && EVP_PKEY_derive_init(ctx) == 1 &&
            // Every PublicKey was checked on the curve when it was built (SPKI decoding
            // and p256FromPoint do); the default re-validation costs a scalar multiplication.
            EVP_PKEY_derive_set_peer_ex(ctx, peer.get(), 0) == 1 &&
            EVP_PKEY_derive(ctx, nullptr, &len) == 1;
  SecretBytes out(len);
  if (ok) ok = EVP_PKEY_derive(ctx, out.data(), &len) == 1 && len == out.size();
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return fail("crypto.ecdh_failed", "ECDH derivation failed");
  return out;
}

Result<PublicKey> p256FromPoint(ByteView point) {
  if (point.size() != kP256PointSize || point[0] != 0x04) {
    return fail("crypto.bad_public_key", "expected a 65-byte uncompressed P-256 point");
  }
  return PublicKey::fromRawP256(point.subspan(1));
}

Result<PublicKey> p256FromPem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return fail("crypto.bad_public_key", "out of memory");
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return fail("crypto.bad_public_key", "not a PEM public key");
  if (!onP256(key)) {
    EVP_PKEY_free(key);
    return fail("crypto.bad_public_key", "public key is not ECDSA P-256");
  }
  return PublicKey::adopt(key);
}

std::string publicKeyPem(const PublicKey& key) {
  return detail::pemText([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key.get()); });
}

}  // namespace clemmys::crypto
