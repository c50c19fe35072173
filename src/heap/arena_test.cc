#include "heap/arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

namespace clemmys::heap {
namespace {

class ArenaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto reserved = Region::reserve(size_t{4} << 20);
    ASSERT_TRUE(reserved);
    region = std::move(*reserved);
    ASSERT_EQ(region->commit(0, region->pageCount()), static_cast<int64_t>(region->pageCount()));
  }
  static bool allZero(const void* p, size_t n) {
    auto* bytes = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) {
      if (bytes[i] != 0) return false;
    }
    return true;
  }
  std::unique_ptr<Region> region;
};

TEST_F(ArenaTest, BlocksAreAlignedDistinctAndInside) {
  Arena arena(*region, true);
  std::set<void*> seen;
  for (size_t size : {1, 15, 16, 17, 100, 4000, 65000, 70000, 300000}) {
    void* p = arena.allocate(size);
    ASSERT_NE(p, nullptr) << size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    EXPECT_TRUE(region->contains(p));
    EXPECT_TRUE(region->contains(static_cast<std::byte*>(p) + size - 1));
    EXPECT_TRUE(seen.insert(p).second);
    std::memset(p, 0xEE, size);
  }
  EXPECT_EQ(arena.allocate(0), nullptr);
}

TEST_F(ArenaTest, FreedBlocksAreReusedBySameClass) {
  Arena arena(*region, true);
  void* a = arena.allocate(100);
  void* b = arena.allocate(100);
  arena.release(a);
  EXPECT_EQ(arena.allocate(90), a);  // same class (128-byte blocks)
  void* big = arena.allocate(200000);
  arena.release(big);
  EXPECT_EQ(arena.allocate(150000), big);  // first fit among large blocks
  EXPECT_NE(b, nullptr);
}

TEST_F(ArenaTest, ReleaseZeroesWhenAsked) {
  Arena zeroing(*region, true);
  char* p = static_cast<char*>(zeroing.allocate(1000));
  std::memset(p, 'S', 1000);
  ASSERT_EQ(zeroing.release(p), ReleaseOutcome::released);
  char* q = static_cast<char*>(zeroing.allocate(1000));
  ASSERT_EQ(q, p);
  EXPECT_TRUE(allZero(q, 1000));
  EXPECT_GE(zeroing.zeroedBytes(), 1000u);
}

TEST_F(ArenaTest, WithoutZeroingContentSurvivesRelease) {
  Arena plain(*region, false);
  char* p = static_cast<char*>(plain.allocate(1000));
  std::memset(p, 'S', 1000);
  plain.release(p);
  char* q = static_cast<char*>(plain.allocate(1000));
  ASSERT_EQ(q, p);
  EXPECT_EQ(q[500], 'S');  // the link took the first 8 bytes, the rest is old data
}

TEST_F(ArenaTest, InvalidReleasesAreRejected) {
  Arena arena(*region, true);
  void* p = arena.allocate(64);
  EXPECT_EQ(arena.release(p), ReleaseOutcome::released);
  EXPECT_EQ(arena.release(p), ReleaseOutcome::invalid);  // double free
  int onStack = 0;
  EXPECT_EQ(arena.release(&onStack), ReleaseOutcome::invalid);
  EXPECT_EQ(arena.release(static_cast<std::byte*>(p) + 8), ReleaseOutcome::invalid);
  EXPECT_EQ(arena.release(nullptr), ReleaseOutcome::released);
}

TEST_F(ArenaTest, ExhaustionReturnsNullAndResetRecovers) {
  Arena arena(*region, true);
  EXPECT_EQ(arena.allocate(region->size()), nullptr);  // header does not fit
  size_t blocks = 0;
  while (arena.allocate(60000) != nullptr) ++blocks;
  EXPECT_GT(blocks, 0u);
  EXPECT_LE(arena.highWater(), region->size());
  EXPECT_GT(arena.reset(), 0u);
  EXPECT_TRUE(allZero(region->base(), region->size()));
  EXPECT_NE(arena.allocate(60000), nullptr);
}

}  // namespace
}  // namespace clemmys::heap
