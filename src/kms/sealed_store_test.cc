#include "kms/sealed_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "kms/fake_platform.h"

namespace clemmys::kms {
namespace {

class SealedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("kms-store-" + random.hex(6));
    std::filesystem::create_directories(dir);
    path = (dir / "kms.store").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string slurp() {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void spit(const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  SystemRandom random;
  testing::FakePlatform platform;
  std::filesystem::path dir;
  std::string path;
};

TEST_F(SealedStoreTest, FreshSaveLoadRoundTripAndEncryptedAtRest) {
  SealedStore store(path, platform, random);
  auto empty = store.load();
  ASSERT_TRUE(empty);
  EXPECT_FALSE(*empty);
  ASSERT_TRUE(store.save("state one with a secret"));
  EXPECT_EQ(slurp().find("secret"), std::string::npos);
  EXPECT_EQ(platform.counters["kms-store"], 1u);
  SealedStore again(path, platform, random);
  auto loaded = again.load();
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ(**loaded, "state one with a secret");
  EXPECT_EQ(again.counter(), 1u);
}

TEST_F(SealedStoreTest, OlderCopyIsRefusedAsRollback) {
  SealedStore store(path, platform, random);
  ASSERT_TRUE(store.load());
  ASSERT_TRUE(store.save("v1"));
  std::string old = slurp();
  ASSERT_TRUE(store.save("v2"));
  spit(old);
  SealedStore restarted(path, platform, random);
  auto r = restarted.load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "kms.store_rollback");
}

TEST_F(SealedStoreTest, DeletedStoreAndForeignKeyAndTamperingAreRefused) {
  SealedStore store(path, platform, random);
  ASSERT_TRUE(store.load());
  ASSERT_TRUE(store.save("v1"));
  std::string good = slurp();
  testing::FakePlatform otherMeasurement(0x07);
  otherMeasurement.counters["kms-store"] = 1;
  EXPECT_EQ(SealedStore(path, otherMeasurement, random).load().error().name, "kms.store_unauthentic");
  std::string tampered = good;
  tampered[8] ^= 1;  // counter byte, authenticated as AAD
  spit(tampered);
  EXPECT_EQ(SealedStore(path, platform, random).load().error().name, "kms.store_unauthentic");
  std::filesystem::remove(path);
  EXPECT_EQ(SealedStore(path, platform, random).load().error().name, "kms.store_missing");
}

TEST_F(SealedStoreTest, CrashBetweenWriteAndCounterIsRecovered) {
  SealedStore store(path, platform, random);
  ASSERT_TRUE(store.load());
  ASSERT_TRUE(store.save("v1"));
  platform.counters["kms-store"] = 0;  // as if the increment never happened
  SealedStore restarted(path, platform, random);
  auto r = restarted.load();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(platform.counters["kms-store"], 1u);
}

}  // namespace
}  // namespace clemmys::kms
