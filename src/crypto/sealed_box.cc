#include "crypto/sealed_box.h"

#include <openssl/evp.h>

#include "crypto/aead.h"
#include "crypto/hkdf.h"

namespace clemmys::crypto {
namespace {

Result<SecretBytes> deriveKey(ByteView shared, ByteView salt, ByteView context, ByteView recipientPoint,
                              ByteView ephemeralPoint) {
  Bytes info(context.begin(), context.end());
  info.insert(info.end(), recipientPoint.begin(), recipientPoint.end());
  info.insert(info.end(), ephemeralPoint.begin(), ephemeralPoint.end());
  return hkdfSha256(shared, salt, info, kAesGcmKeySize);
}

Bytes pointOf(const PublicKey& key) {
  Bytes point(kP256PointSize);
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key.get(), "pub", point.data(), point.size(), &len) != 1 ||
      len != kP256PointSize) {
    return {};
  }
  return point;
}

}  // namespace

Result<SealedBox> sealToP256(const PublicKey& recipient, ByteView salt, ByteView context, ByteView plaintext,
                             Random& random) {
  auto eph = EcPrivateKey::generateP256();
  if (!eph) return std::unexpected(eph.error());
  auto shared = eph->ecdh(recipient);
  if (!shared) return std::unexpected(shared.error());
  SealedBox box;
  box.ephemeralPoint = eph->publicPoint();
  Bytes recipientPoint = pointOf(recipient);
  if (recipientPoint.empty()) return fail("crypto.bad_public_key", "recipient is not a P-256 point");
  auto key = deriveKey(shared->view(), salt, context, recipientPoint, box.ephemeralPoint);
  if (!key) return std::unexpected(key.error());
  box.nonce.resize(kAesGcmNonceSize);
  random.fill(box.nonce.data(), box.nonce.size());
  auto ct = aesGcmSeal(key->view(), box.nonce, plaintext, context);
  if (!ct) return std::unexpected(ct.error());
  box.ciphertext = std::move(*ct);
  return box;
}

Result<Bytes> openSealedBox(const EcPrivateKey& recipient, const SealedBox& box, ByteView salt, ByteView context) {
  auto peer = p256FromPoint(box.ephemeralPoint);
  if (!peer) return std::unexpected(peer.error());
  auto shared = recipient.ecdh(*peer);
  if (!shared) return std::unexpected(shared.error());
  auto key = deriveKey(shared->view(), salt, context, recipient.publicPoint(), box.ephemeralPoint);
  if (!key) return std::unexpected(key.error());
  return aesGcmOpen(key->view(), box.nonce, box.ciphertext, context);
}

}  // namespace clemmys::crypto
