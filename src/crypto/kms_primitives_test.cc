#include <gtest/gtest.h>

#include "common/encoding.h"
#include "common/random.h"
#include "crypto/aead.h"
#include "crypto/cert_issuer.h"
#include "crypto/ec_key.h"
#include "crypto/hkdf.h"
#include "crypto/sealed_box.h"

namespace clemmys::crypto {
namespace {

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(AesGcm, RoundTripAndTamper) {
  Bytes key(32, 7), nonce(12, 1);
  auto ct = aesGcmSeal(key, nonce, b("hello"), b("aad"));
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->size(), 5u + 16u);
  auto pt = aesGcmOpen(key, nonce, *ct, b("aad"));
  ASSERT_TRUE(pt);
  EXPECT_EQ(*pt, b("hello"));
  EXPECT_EQ(aesGcmOpen(key, nonce, *ct, b("other")).error().name, "crypto.aead_open_failed");
  (*ct)[0] ^= 1;
  EXPECT_EQ(aesGcmOpen(key, nonce, *ct, b("aad")).error().name, "crypto.aead_open_failed");
  EXPECT_EQ(aesGcmSeal(Bytes(16), nonce, b("x"), {}).error().name, "crypto.bad_key_size");
}

TEST(Hkdf, Rfc5869Case1) {
  auto ikm = *fromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  auto salt = *fromHex("000102030405060708090a0b0c");
  auto info = *fromHex("f0f1f2f3f4f5f6f7f8f9");
  auto okm = hkdfSha256(asBytes(ikm), asBytes(salt), asBytes(info), 42);
  ASSERT_TRUE(okm);
  EXPECT_EQ(toHex(okm->view()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(Hkdf, Rfc5869Case3NoSaltNoInfo) {
  auto ikm = *fromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  auto okm = hkdfSha256(asBytes(ikm), {}, {}, 42);
  ASSERT_TRUE(okm);
  EXPECT_EQ(toHex(okm->view()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(EcKey, SignVerifyPemRoundTrip) {
  auto key = EcPrivateKey::generateP256();
  ASSERT_TRUE(key);
  auto sig = key->sign(b("message"));
  ASSERT_TRUE(sig);
  EXPECT_TRUE(verifyEcdsaDer(key->publicKey(), HashAlg::kSha256, b("message"), *sig));
  EXPECT_FALSE(verifyEcdsaDer(key->publicKey(), HashAlg::kSha256, b("other"), *sig));
  auto pem = key->toPem();
  auto again = EcPrivateKey::fromPem(std::string_view(reinterpret_cast<const char*>(pem.data()), pem.size()));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->publicPoint(), key->publicPoint());
  auto pub = p256FromPem(publicKeyPem(key->publicKey()));
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->spkiDer(), key->publicKey().spkiDer());
  EXPECT_EQ(p256FromPoint(key->publicPoint())->spkiDer(), key->publicKey().spkiDer());
  EXPECT_FALSE(p256FromPoint(Bytes(65, 4)));
}

TEST(SealedBox, OnlyTheRecipientOpens) {
  SystemRandom random;
  auto recipient = *EcPrivateKey::generateP256();
  auto other = *EcPrivateKey::generateP256();
  auto box = sealToP256(recipient.publicKey(), b("salt"), b("ctx"), b("secret config"), random);
  ASSERT_TRUE(box);
  auto pt = openSealedBox(recipient, *box, b("salt"), b("ctx"));
  ASSERT_TRUE(pt);
  EXPECT_EQ(*pt, b("secret config"));
  EXPECT_FALSE(openSealedBox(other, *box, b("salt"), b("ctx")));
  EXPECT_FALSE(openSealedBox(recipient, *box, b("salt2"), b("ctx")));
  EXPECT_FALSE(openSealedBox(recipient, *box, b("salt"), b("ctx2")));
}

TEST(CertIssuer, CaIssuesLeafThatChainsToIt) {
  auto caKey = *EcPrivateKey::generateP256();
  CertSpec caSpec{"session CA", {}, 1'700'000'000, 2'000'000'000, true, Bytes{1, 2, 3}};
  auto ca = issueSelfSigned(caKey, caSpec);
  ASSERT_TRUE(ca) << ca.error().str();
  EXPECT_TRUE(ca->isCa());
  auto leafKey = *EcPrivateKey::generateP256();
  CertSpec leafSpec{"gateway", {"localhost", "127.0.0.1"}, 1'700'000'000, 1'800'000'000, false, Bytes{9}};
  auto leaf = issueCertificate(caKey, *ca, leafKey.publicKey(), leafSpec);
  ASSERT_TRUE(leaf) << leaf.error().str();
  EXPECT_FALSE(leaf->isCa());
  EXPECT_EQ(leaf->publicKey().spkiDer(), leafKey.publicKey().spkiDer());
  EXPECT_TRUE(verifyChain({*leaf, *ca}, caKey.publicKey().spkiDer(), 1'750'000'000));
  auto pem = certificatePem(*leaf);
  auto parsed = Certificate::chainFromPem(pem);
  ASSERT_TRUE(parsed);
  EXPECT_EQ((*parsed)[0].der(), leaf->der());
  EXPECT_EQ(issueSelfSigned(caKey, CertSpec{"x", {"bad,name"}, 0, 1, false, Bytes{1}}).error().name,
            "crypto.bad_name");
}

}  // namespace
}  // namespace clemmys::crypto
