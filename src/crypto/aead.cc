#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace clemmys::crypto {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

Status checkSizes(ByteView key, ByteView nonce) {
  if (key.size() != kAesGcmKeySize) return fail("crypto.bad_key_size", "AES-256-GCM needs a 32-byte key");
  if (nonce.size() != kAesGcmNonceSize) return fail("crypto.bad_nonce_size", "AES-GCM nonce must be 12 bytes");
  return {};
}

// EVP_aes_256_gcm() names the algorithm only: every Init with it fetches the
// provider's implementation again (a locked table walk in OpenSSL 3). The fetched
// cipher is immutable and shareable, so fetch it once.
const EVP_CIPHER* aes256Gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

}  // namespace

Result<Bytes> aesGcmSeal(ByteView key, ByteView nonce, ByteView plaintext, ByteView aad) {
  if (auto st = checkSizes(key, nonce); !st) return std::unexpected(st.error());
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  Bytes out(plaintext.size() + kAesGcmTagSize);
  int len = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), aes256Gcm(), nullptr, key.data(), nonce.data()) == 1;
  if (ok && !aad.empty()) ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(), static_cast<int>(plaintext.size())) == 1;
  }
  if (ok) ok = EVP_EncryptFinal_ex(ctx.get(), out.data() + plaintext.size(), &len) == 1;
  if (ok) {
    ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAesGcmTagSize),
                             out.data() + plaintext.size()) == 1;
  }
  if (!ok) return fail("crypto.aead_failed", "AES-256-GCM seal failed");
  return out;
}

Result<Bytes> aesGcmOpen(ByteView key, ByteView nonce, ByteView sealed, ByteView aad) {
  if (auto st = checkSizes(key, nonce); !st) return std::unexpected(st.error());
  if (sealed.size() < kAesGcmTagSize) return fail("crypto.aead_open_failed", "ciphertext shorter than the tag");
  size_t bodySize = sealed.size() - kAesGcmTagSize;
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  Bytes out(bodySize);
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), aes256Gcm(), nullptr, key.data(), nonce.data()) == 1;
  if (ok && !aad.empty()) ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1;
  if (ok && bodySize > 0) {
    ok = EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data(), static_cast<int>(bodySize)) == 1;
  }
  if (ok) {
    ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAesGcmTagSize),
                             const_cast<uint8_t*>(sealed.data() + bodySize)) == 1;
  }
  if (ok) ok = EVP_DecryptFinal_ex(ctx.get(), out.data() + bodySize, &len) == 1;
  if (!ok) {
    if (!out.empty()) OPENSSL_cleanse(out.data(), out.size());
    return fail("crypto.aead_open_failed", "AES-256-GCM authentication failed");
  }
  return out;
}

}  // namespace clemmys::crypto
