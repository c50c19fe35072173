// Gramine and configfs-tsm attesters against fake pseudo-file directories.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "tee/attester.h"
#include "tee/file_io.h"
#include "tee/test_temp_dir.h"

namespace clemmys::tee {
namespace {


using testing::TempDir;

ReportData sampleReportData() {
  ReportData rd{};
  for (size_t i = 0; i < rd.size(); ++i) rd[i] = static_cast<uint8_t>(i * 3 + 1);
  return rd;
}

std::string asString(const ReportData& rd) { return std::string(reinterpret_cast<const char*>(rd.data()), rd.size()); }

TEST(GramineAttester, WritesReportDataAndReadsQuote) {
  TempDir dir;
  ASSERT_TRUE(writeWholeFile(dir.path() + "/attestation_type", "dcap", "t"));
  ASSERT_TRUE(writeWholeFile(dir.path() + "/quote", "QUOTE-BYTES", "t"));
  GramineAttester attester(dir.path());
  EXPECT_EQ(attester.type(), "sgx");
  auto quote = attester.evidence(sampleReportData());
  ASSERT_TRUE(quote) << quote.error().str();
  EXPECT_EQ(*quote, "QUOTE-BYTES");
  auto written = readWholeFile(dir.path() + "/user_report_data", "t");
  ASSERT_TRUE(written);
  EXPECT_EQ(*written, asString(sampleReportData()));
}

TEST(GramineAttester, RefusesNonDcapAndMissingDevice) {
  TempDir dir;
  ASSERT_TRUE(writeWholeFile(dir.path() + "/attestation_type", "none\n", "t"));
  auto none = GramineAttester(dir.path()).evidence(sampleReportData());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().name, "tee.gramine_unavailable");
  auto missing = GramineAttester(dir.path() + "/absent").evidence(sampleReportData());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().name, "tee.gramine_unavailable");
}

TEST(GramineAttester, EmptyQuoteIsAnError) {
  TempDir dir;
  ASSERT_TRUE(writeWholeFile(dir.path() + "/attestation_type", "dcap", "t"));
  ASSERT_TRUE(writeWholeFile(dir.path() + "/quote", "", "t"));
  auto q = GramineAttester(dir.path()).evidence(sampleReportData());
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().name, "tee.gramine_empty_quote");
}

// The fake "kernel" pre-populates the entry the injected namer will pick.
void populateEntry(const std::string& entry, const std::string& outblob) {
  ::mkdir(entry.c_str(), 0700);
  ASSERT_TRUE(writeWholeFile(entry + "/outblob", outblob, "t"));
  ASSERT_TRUE(writeWholeFile(entry + "/auxblob", "CERTS", "t"));
  ASSERT_TRUE(writeWholeFile(entry + "/provider", "tdx_guest\n", "t"));
  ASSERT_TRUE(writeWholeFile(entry + "/generation", "1\n", "t"));
}

TEST(ConfigfsTsmAttester, WritesInblobReadsOutblobAndAux) {
  TempDir dir;
  populateEntry(dir.path() + "/entry0", "TD-QUOTE");
  ConfigfsTsmAttester attester(dir.path(), "tdx", [] { return std::string("entry0"); });
  EXPECT_EQ(attester.type(), "tdx");
  auto report = attester.report(sampleReportData());
  ASSERT_TRUE(report) << report.error().str();
  EXPECT_EQ(report->outblob, "TD-QUOTE");
  EXPECT_EQ(report->auxblob, "CERTS");
  EXPECT_EQ(report->provider, "tdx_guest");
  EXPECT_EQ(report->generation, 1u);
  auto inblob = readWholeFile(dir.path() + "/entry0/inblob", "t");
  ASSERT_TRUE(inblob);
  EXPECT_EQ(*inblob, asString(sampleReportData()));
  auto ev = attester.evidence(sampleReportData());
  ASSERT_TRUE(ev);
  EXPECT_EQ(*ev, "TD-QUOTE");
}

TEST(ConfigfsTsmAttester, MissingRootAndMissingOutblob) {
  TempDir dir;
  auto missing = ConfigfsTsmAttester(dir.path() + "/nope").evidence(sampleReportData());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().name, "tee.tsm_unavailable");
  // No provider behind the entry: nothing produced an outblob.
  ConfigfsTsmAttester attester(dir.path(), "snp", [] { return std::string("fresh"); });
  auto r = attester.evidence(sampleReportData());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "tee.tsm_io");
}

TEST(ConfigfsTsmAttester, EmptyOutblobIsAnError) {
  TempDir dir;
  populateEntry(dir.path() + "/e", "");
  auto r = ConfigfsTsmAttester(dir.path(), "tdx", [] { return std::string("e"); }).evidence(sampleReportData());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "tee.tsm_empty_outblob");
}

TEST(MakeAttester, SelectsBackends) {
  AttesterConfig c;
  c.backend = "sgx";
  auto sgx = makeAttester(c);
  ASSERT_TRUE(sgx);
  EXPECT_EQ((*sgx)->type(), "sgx");
  c.backend = "snp";
  EXPECT_EQ((*makeAttester(c))->type(), "snp");
  c.backend = "sim";
  c.simteeSocket = "/tmp/x.sock";
  EXPECT_EQ((*makeAttester(c))->type(), "sim");
  c.backend = "quantum";
  auto bad = makeAttester(c);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().name, "tee.unknown_backend");
}

}  // namespace
}  // namespace clemmys::tee
