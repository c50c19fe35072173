#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>

namespace clemmys::crypto {
namespace {

// HMAC-SHA256 contexts are copied from one prototype whose algorithm and digest were
// fetched once: setting them per call (what EVP_KDF "HKDF" does) walks OpenSSL 3's
// provider tables under a lock, several times per derivation. The prototype is never
// modified after construction, so copying it from several threads is safe.
EVP_MAC_CTX* hmacPrototype() {
  static EVP_MAC_CTX* const proto = [] {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
                           OSSL_PARAM_construct_end()};
    if (ctx != nullptr && EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      ctx = nullptr;
    }
    return ctx;
  }();
  return proto;
}

using Block = std::array<uint8_t, 32>;

// out = HMAC-SHA256(key, a || b || c).
bool hmac(ByteView key, ByteView a, ByteView b, ByteView c, Block& out) {
  EVP_MAC_CTX* proto = hmacPrototype();
  if (proto == nullptr) return false;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(proto);
  if (ctx == nullptr) return false;
  bool ok = EVP_MAC_init(ctx, key.data(), key.size(), nullptr) == 1;  // never empty: PRK or salt
  for (ByteView part : {a, b, c}) {
    if (ok && !part.empty()) ok = EVP_MAC_update(ctx, part.data(), part.size()) == 1;
  }
  size_t n = 0;
  if (ok) ok = EVP_MAC_final(ctx, out.data(), &n, out.size()) == 1 && n == out.size();
  EVP_MAC_CTX_free(ctx);
  return ok;
}

}  // namespace

Result<SecretBytes> hkdfSha256(ByteView ikm, ByteView salt, ByteView info, size_t length) {
  if (length == 0 || length > 255 * 32) return fail("crypto.kdf_failed", "bad HKDF output length");
  Block prk{}, t{};
  // Extract: PRK = HMAC(salt, IKM); an absent salt is 32 zero bytes (RFC 5869 2.2).
  static const Block zeroSalt{};
  bool ok = hmac(salt.empty() ? ByteView(zeroSalt.data(), zeroSalt.size()) : salt, ikm, {}, {}, prk);
  SecretBytes out(length);
  // Expand: T(i) = HMAC(PRK, T(i-1) || info || i).
  size_t done = 0;
  for (uint8_t i = 1; ok && done < length; ++i) {
    ByteView previous = i == 1 ? ByteView() : ByteView(t.data(), t.size());
    ok = hmac(ByteView(prk.data(), prk.size()), previous, info, ByteView(&i, 1), t);
    size_t take = std::min(t.size(), length - done);
    if (ok) std::copy_n(t.begin(), take, out.data() + done);
    done += take;
  }
  OPENSSL_cleanse(prk.data(), prk.size());
  OPENSSL_cleanse(t.data(), t.size());
  if (!ok) return fail("crypto.kdf_failed", "HKDF derive failed");
  return out;
}

}  // namespace clemmys::crypto
