#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace clemmys::crypto {

Result<SecretBytes> hkdfSha256(ByteView ikm, ByteView salt, ByteView info, size_t length) {
  if (length == 0 || length > 255 * 32) return fail("crypto.kdf_failed", "bad HKDF output length");
  // Fetching the algorithm walks OpenSSL's provider tables under a lock (about half of
  // a derivation's cost); the fetched object is immutable and shareable, so fetch once.
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
  if (ctx == nullptr) return fail("crypto.kdf_failed", "HKDF unavailable");
  // OpenSSL wants non-null pointers even for empty inputs.
  uint8_t empty = 0;
  auto ptr = [&empty](ByteView v) { return v.empty() ? &empty : const_cast<uint8_t*>(v.data()); };
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ptr(ikm), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, ptr(salt), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, ptr(info), info.size()),
      OSSL_PARAM_construct_end()};
  SecretBytes out(length);
  int rc = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (rc != 1) return fail("crypto.kdf_failed", "HKDF derive failed");
  return out;
}

}  // namespace clemmys::crypto
