#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kms/audit_log.h"
#include "kms/nonces.h"
#include "kms/protocol.h"

namespace clemmys::kms {
namespace {

TEST(Nonces, SingleUseAndExpiry) {
  FakeClock clock;
  SystemRandom random;
  NonceRegistry nonces(clock, random, 1000);
  auto n = nonces.issue();
  ASSERT_TRUE(n);
  EXPECT_EQ(n->size(), 32u);
  EXPECT_TRUE(nonces.consume(*n));
  EXPECT_EQ(nonces.consume(*n).error().name, "kms.nonce_replayed");
  EXPECT_EQ(nonces.consume(std::string(32, 'x')).error().name, "kms.nonce_unknown");
  auto late = *nonces.issue();
  clock.advance(1001);
  EXPECT_EQ(nonces.consume(late).error().name, "kms.nonce_expired");
}

TEST(Nonces, BoundedOutstanding) {
  FakeClock clock;
  SystemRandom random;
  NonceRegistry nonces(clock, random, 1000, 2);
  ASSERT_TRUE(nonces.issue());
  ASSERT_TRUE(nonces.issue());
  EXPECT_EQ(nonces.issue().error().name, "kms.too_many_challenges");
}

TEST(ReportData, BindsNonceAndKey) {
  std::string nonce(32, 'n'), key(65, 'k');
  auto rd = attestReportData(crypto::asBytes(nonce), crypto::asBytes(key));
  for (size_t i = 32; i < 64; ++i) EXPECT_EQ(rd[i], 0);
  EXPECT_NE(rd, attestReportData(crypto::asBytes(nonce), crypto::asBytes(std::string(65, 'K'))));
  EXPECT_NE(rd, attestReportData(crypto::asBytes(std::string(32, 'N')), crypto::asBytes(key)));
  EXPECT_NE(kmsTlsReportData(crypto::asBytes(key)), kmsTlsReportData(crypto::asBytes(nonce)));
}

TEST(AuditLog, HashChainDetectsEdits) {
  FakeClock clock;
  SystemRandom random;
  auto path = (std::filesystem::temp_directory_path() / ("audit-" + random.hex(6) + ".log")).string();
  {
    auto log = AuditLog::open(path, clock);
    ASSERT_TRUE(log);
    ASSERT_TRUE((*log)->append(AuditEntry{"s", "runtime", "f", "aa", "sim", true, {}}));
    ASSERT_TRUE((*log)->append(AuditEntry{"s", "runtime", "f", "bb", "sim", true, "kms.measurement_refused"}));
  }
  {
    auto log = AuditLog::open(path, clock);  // continues the chain
    ASSERT_TRUE(log);
    ASSERT_TRUE((*log)->append(AuditEntry{"s", "gateway", "", "cc", "sim", true, {}}));
  }
  EXPECT_EQ(*verifyAuditLog(path), 3u);
  std::ifstream in(path);
  std::string all((std::istreambuf_iterator<char>(in)), {});
  in.close();
  EXPECT_NE(all.find("\"result\":\"refused\""), std::string::npos);
  std::string edited = all;
  edited.replace(edited.find("\"bb\""), 4, "\"bc\"");
  std::ofstream(path, std::ios::trunc) << edited;
  EXPECT_EQ(verifyAuditLog(path).error().name, "kms.audit_broken");
  std::string dropped = all.substr(all.find('\n') + 1);
  std::ofstream(path, std::ios::trunc) << dropped;
  EXPECT_EQ(verifyAuditLog(path).error().name, "kms.audit_broken");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace clemmys::kms
