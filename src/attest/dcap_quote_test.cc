#include "attest/dcap_quote.h"

#include <gtest/gtest.h>

#include "attest/test_evidence.h"
#include "common/encoding.h"

namespace clemmys::attest {
namespace {

using testing::readEvidenceBytes;

TEST(DcapQuote, ParsesSgxV3Sample) {
  auto bytes = readEvidenceBytes("sgx/sgx_quote");
  ASSERT_EQ(bytes.size(), 4600u);
  auto q = parseDcapQuote(bytes);
  ASSERT_TRUE(q) << q.error().str();
  EXPECT_EQ(q->header.version, 3);
  ASSERT_TRUE(q->sgxBody);
  EXPECT_EQ(toHex(q->sgxBody->mrEnclave), "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  EXPECT_EQ(toHex(q->sgxBody->mrSigner), "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  EXPECT_EQ(q->sgxBody->isvProdId, 0);
  EXPECT_FALSE(q->sgxBody->debug());
  EXPECT_EQ(std::string(q->sgxBody->reportData.begin(), q->sgxBody->reportData.begin() + 13), "Hello, world!");
  EXPECT_EQ(q->signedBytes.size(), 432u);
  EXPECT_EQ(q->certDataType, kCertDataPckChainPem);
}

TEST(DcapQuote, ParsesTdxV4AndV5Samples) {
  auto v4 = readEvidenceBytes("tdx/tdx_quote");
  auto q4 = parseDcapQuote(v4);
  ASSERT_TRUE(q4) << q4.error().str();
  ASSERT_TRUE(q4->tdBody);
  EXPECT_FALSE(q4->tdBody->td15);
  EXPECT_EQ(toHex(q4->tdBody->mrTd).substr(0, 8), "91eb2b44");
  EXPECT_EQ(q4->signedBytes.size(), 632u);
  auto v5 = readEvidenceBytes("tdx/tdx_quote_outdated");
  auto q5 = parseDcapQuote(v5);
  ASSERT_TRUE(q5) << q5.error().str();
  EXPECT_EQ(q5->header.version, 5);
  EXPECT_TRUE(q5->tdBody->td15);
  EXPECT_EQ(q5->signedBytes.size(), 48u + 6u + 648u);
}

TEST(DcapQuote, ParsesPpidQuoteAndDebugQuote) {
  auto type1 = readEvidenceBytes("negative/intel_sample_quote_type1.dat");
  auto q = parseDcapQuote(type1);
  ASSERT_TRUE(q) << q.error().str();
  EXPECT_EQ(q->certDataType, 1);
  auto dbg = readEvidenceBytes("negative/sgx_debug_enclave_quote.dat");
  auto d = parseDcapQuote(dbg);
  ASSERT_TRUE(d) << d.error().str();
  EXPECT_TRUE(d->sgxBody->debug());
}

TEST(DcapQuote, EveryTruncationIsRefused) {
  for (const char* file : {"sgx/sgx_quote", "tdx/tdx_quote", "tdx/tdx_quote_outdated"}) {
    auto bytes = readEvidenceBytes(file);
    size_t sigDataEnd = 0;
    {
      auto q = parseDcapQuote(bytes);
      ASSERT_TRUE(q);
      sigDataEnd = static_cast<size_t>(q->certData.data() + q->certData.size() - bytes.data());
    }
    for (size_t len = 0; len < sigDataEnd; ++len) {
      auto q = parseDcapQuote(crypto::ByteView(bytes.data(), len));
      ASSERT_FALSE(q) << file << " accepted at length " << len;
    }
  }
}

TEST(DcapQuote, OversizedInputIsRefused) {
  auto bytes = readEvidenceBytes("sgx/sgx_quote");
  auto withTail = [&](size_t n, uint8_t fill) {
    auto b = bytes;
    b.resize(b.size() + n, fill);
    auto q = parseDcapQuote(b);
    return q ? std::string("accepted") : q.error().name;
  };
  EXPECT_EQ(withTail(1, 0x01), "attest.quote_trailing_bytes");
  EXPECT_EQ(withTail(1 << 20, 0xff), "attest.quote_trailing_bytes");
  // Bounded zero padding after the signature data is tolerated (see dcap_quote.cc).
  EXPECT_EQ(withTail(70, 0x00), "accepted");
  EXPECT_EQ(withTail(4097, 0x00), "attest.quote_trailing_bytes");
}

TEST(DcapQuote, UnknownHeaderValuesAreRefused) {
  auto base = readEvidenceBytes("sgx/sgx_quote");
  auto flip = [&](size_t off, uint8_t x) {
    auto b = base;
    b[off] ^= x;
    auto q = parseDcapQuote(b);
    return q ? std::string("accepted") : q.error().name;
  };
  EXPECT_EQ(flip(0, 0x04), "attest.quote_unsupported_version");
  EXPECT_EQ(flip(2, 0x01), "attest.quote_unsupported_key_type");
  EXPECT_EQ(flip(4, 0x81), "attest.quote_unknown_tee_type");
  EXPECT_EQ(flip(12, 0x01), "attest.quote_unknown_qe_vendor");
  EXPECT_EQ(flip(432, 0x04), "attest.quote_trailing_bytes");  // signature length too short
  EXPECT_EQ(flip(433, 0x01), "attest.quote_truncated");       // signature length too long
}

TEST(DcapQuote, TdxBodyTypeMustMatch) {
  auto bytes = readEvidenceBytes("tdx/tdx_quote_outdated");
  bytes[48] = 1;  // v5 body type SGX in a TDX quote
  EXPECT_EQ(parseDcapQuote(bytes).error().name, "attest.quote_unknown_body_type");
}

}  // namespace
}  // namespace clemmys::attest
