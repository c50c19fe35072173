#include "common/encoding.h"

#include <gtest/gtest.h>

namespace clemmys {
namespace {

TEST(Encoding, HexRoundTrip) {
  EXPECT_EQ(toHex(std::string_view("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(fromHex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(fromHex("0"));
  EXPECT_FALSE(fromHex("zz"));
}

TEST(Encoding, Base64KnownVectors) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(base64Decode("Zm9v\nYmFy\n"), "foobar");
  EXPECT_FALSE(base64Decode("Zm9v!"));
  EXPECT_FALSE(base64Decode("Z"));
  EXPECT_FALSE(base64Decode("Zg=x"));
}

TEST(Encoding, Base64UrlIsStrict) {
  std::string bytes("\xfb\xff\xfe", 3);
  EXPECT_EQ(base64UrlEncode(bytes), "-__-");
  EXPECT_EQ(base64UrlDecode("-__-"), bytes);
  EXPECT_FALSE(base64UrlDecode("+//+"));
  EXPECT_FALSE(base64UrlDecode("Zg=="));  // no padding allowed
  EXPECT_FALSE(base64UrlDecode("Zh"));    // non-canonical trailing bits
}

TEST(Encoding, LooksLikeBase64) {
  EXPECT_TRUE(looksLikeBase64("UEsDBAoAAAAA"));
  EXPECT_FALSE(looksLikeBase64("def main(args):\n  return args"));
  EXPECT_FALSE(looksLikeBase64(""));
}

}  // namespace
}  // namespace clemmys
