#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>

#include "common/encoding.h"
#include "crypto/der.h"
#include "crypto/digest.h"
#include "crypto/public_key.h"
#include "crypto/secret_bytes.h"
#include "crypto/x509.h"

namespace clemmys::crypto {
namespace {

std::string readFile(const std::string& rel) {
  std::ifstream in(std::string(CLEMMYS_EVIDENCE_DIR) + "/" + rel, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Digest, KnownVectors) {
  EXPECT_EQ(toHex(sha256(asBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(toHex(sha384(asBytes("abc"))),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
}

TEST(Digest, IncrementalSha256MatchesOneShotAndForks) {
  Sha256 prefix;
  prefix.update(asBytes("a")).update(asBytes("b"));
  Sha256 fork = prefix;  // the common prefix hashed once, finished two ways
  prefix.update(asBytes("c"));
  fork.update(asBytes("d"));
  EXPECT_EQ(prefix.digest(), sha256(asBytes("abc")));
  EXPECT_EQ(prefix.digest(), sha256(asBytes("abc")));  // digest() leaves the state usable
  EXPECT_EQ(fork.digest(), sha256(asBytes("abd")));
}

TEST(SecretBytes, WipesAndCompares) {
  const uint8_t k[] = {1, 2, 3, 4};
  SecretBytes s{ByteView(k)};
  EXPECT_TRUE(s.equals(ByteView(k)));
  SecretBytes moved = std::move(s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(moved.size(), 4u);
  moved.wipe();
  EXPECT_TRUE(moved.empty());
  EXPECT_FALSE(moved.equals(ByteView(k)));
}

TEST(Ecdsa, RawAndDerRoundTrip) {
  EVP_PKEY* priv = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(priv, nullptr);
  std::string msg = "attest me";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestSignInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, priv, nullptr), 1);
  size_t len = 0;
  ASSERT_EQ(EVP_DigestSign(ctx, nullptr, &len, asBytes(msg).data(), msg.size()), 1);
  Bytes sig(len);
  ASSERT_EQ(EVP_DigestSign(ctx, sig.data(), &len, asBytes(msg).data(), msg.size()), 1);
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  unsigned char* spki = nullptr;
  int spkiLen = i2d_PUBKEY(priv, &spki);
  auto key = PublicKey::fromSpkiDer(ByteView(spki, spkiLen));
  OPENSSL_free(spki);
  EVP_PKEY_free(priv);
  ASSERT_TRUE(key);
  EXPECT_TRUE(verifyEcdsaDer(*key, HashAlg::kSha256, asBytes(msg), sig));
  EXPECT_FALSE(verifyEcdsaDer(*key, HashAlg::kSha256, asBytes("attest mE"), sig));
  EXPECT_FALSE(verifyEcdsaDer(*key, HashAlg::kSha384, asBytes(msg), sig));
  // Rebuild r||s from the DER to exercise the raw path.
  DerReader outer(sig);
  auto seq = outer.expect(kDerSequence);
  ASSERT_TRUE(seq);
  DerReader inner(seq->content);
  Bytes rs(64, 0);
  for (int i = 0; i < 2; ++i) {
    auto n = inner.expect(kDerInteger);
    ASSERT_TRUE(n);
    ByteView v = n->content;
    while (v.size() > 32) v = v.subspan(1);
    std::copy(v.begin(), v.end(), rs.begin() + 32 * (i + 1) - v.size());
  }
  EXPECT_TRUE(verifyEcdsaRaw(*key, HashAlg::kSha256, asBytes(msg), rs));
  rs[5] ^= 1;
  EXPECT_EQ(verifyEcdsaRaw(*key, HashAlg::kSha256, asBytes(msg), rs).error().name, "crypto.signature_invalid");
}

TEST(PublicKey, RawP256RejectsOffCurvePoint) {
  Bytes xy(64, 1);
  EXPECT_FALSE(PublicKey::fromRawP256(xy));
  EXPECT_FALSE(PublicKey::fromRawP256(Bytes(63, 0)));
}

TEST(X509, PinsRootByKeyNotName) {
  std::string rootDer = readFile("sgx/intel_sgx_root_ca.der");
  auto intel = Certificate::fromDer(asBytes(rootDer));
  ASSERT_TRUE(intel);
  Bytes intelSpki = intel->publicKey().spkiDer();
  EXPECT_TRUE(verifyChain({*intel}, intelSpki, parseRfc3339("2030-01-01T00:00:00Z").value()));
  EXPECT_EQ(verifyChain({*intel}, intelSpki, parseRfc3339("2050-01-01T00:00:00Z").value()).error().name,
            "crypto.chain_expired");

  auto lookalike = Certificate::chainFromPem(readFile("negative/intel_sample_pck_chain.pem"));
  ASSERT_TRUE(lookalike);
  ASSERT_EQ(lookalike->size(), 2u);
  EXPECT_EQ(lookalike->back().subject(), intel->subject());
  EXPECT_EQ(verifyChain(*lookalike, intelSpki, std::nullopt).error().name, "crypto.chain_untrusted_root");
  // The same chain verifies when its own root is (wrongly) pinned: the failure
  // above is the pin, not a broken chain.
  EXPECT_TRUE(verifyChain(*lookalike, lookalike->back().publicKey().spkiDer(), std::nullopt));
}

TEST(X509, RejectsTrailingBytesAndJunk) {
  std::string rootDer = readFile("sgx/intel_sgx_root_ca.der") + "x";
  EXPECT_FALSE(Certificate::fromDer(asBytes(rootDer)));
  EXPECT_FALSE(Certificate::chainFromPem(readFile("negative/intel_sample_pck_chain.pem") + "junk"));
  EXPECT_TRUE(Certificate::chainFromPem(readFile("negative/intel_sample_pck_chain.pem") + std::string(3, '\0')));
}

TEST(Rfc3339, Parses) {
  EXPECT_EQ(parseRfc3339("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(parseRfc3339("2025-06-19T10:56:11Z").value(), 1750330571);
  EXPECT_EQ(parseRfc3339("2025-06-19T12:56:11.5+02:00").value(), 1750330571);
  EXPECT_FALSE(parseRfc3339("2025-06-19 10:56:11"));
  EXPECT_FALSE(parseRfc3339("2025-13-19T10:56:11Z"));
}

TEST(Der, RejectsMalformed) {
  const uint8_t longLen[] = {0x30, 0x81, 0x05, 0, 0, 0, 0, 0};  // non-minimal length
  EXPECT_FALSE(DerReader(longLen).next());
  const uint8_t overrun[] = {0x30, 0x05, 0};
  EXPECT_FALSE(DerReader(overrun).next());
  const uint8_t oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01};
  EXPECT_EQ(decodeOid(oid).value(), "1.2.840.113741.1.13.1");
  const uint8_t neg[] = {0x80};
  EXPECT_FALSE(decodeUnsigned(neg));
}

}  // namespace
}  // namespace clemmys::crypto
