#include "heap/region.h"

#include <gtest/gtest.h>

#include <cstring>

#include "heap/testing.h"

namespace clemmys::heap {
namespace {

using testing::residentPages;

TEST(RegionTest, ReserveCommitsNothing) {
  auto region = Region::reserve(size_t{8} << 20);
  ASSERT_TRUE(region) << region.error().str();
  Region& r = **region;
  EXPECT_EQ(r.size(), size_t{8} << 20);
  EXPECT_EQ(r.committedPages(), 0u);
  EXPECT_EQ(residentPages(r.base(), r.size(), r.pageSize()), 0u);
}

TEST(RegionTest, RoundsUpToPagesAndRejectsZero) {
  auto region = Region::reserve(1);
  ASSERT_TRUE(region);
  EXPECT_EQ((*region)->size(), (*region)->pageSize());
  auto none = Region::reserve(0);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().name, "heap.bad_size");
}

TEST(RegionTest, CommitBacksPagesAndCountsEachOnce) {
  auto region = Region::reserve(size_t{1} << 20);
  ASSERT_TRUE(region);
  Region& r = **region;
  EXPECT_EQ(r.commit(2, 3), 3);
  EXPECT_EQ(r.commit(3, 3), 1);  // 3 and 4 already committed, 5 is new
  EXPECT_EQ(r.committedPages(), 4u);
  EXPECT_FALSE(r.isCommitted(1));
  EXPECT_TRUE(r.isCommitted(5));
  EXPECT_EQ(residentPages(r.base(), r.size(), r.pageSize()), 4u);
  std::memset(r.base() + 2 * r.pageSize(), 0x7F, 4 * r.pageSize());  // writable
}

TEST(RegionTest, CommitClipsAtTheEnd) {
  auto region = Region::reserve(4 * 4096);
  ASSERT_TRUE(region);
  Region& r = **region;
  EXPECT_EQ(r.commit(r.pageCount() - 1, 16), 1);
  EXPECT_EQ(r.commit(r.pageCount(), 16), 0);
  EXPECT_EQ(r.committedPages(), 1u);
}

TEST(RegionTest, ZeroCommittedLeavesUncommittedPagesAlone) {
  auto region = Region::reserve(size_t{1} << 20);
  ASSERT_TRUE(region);
  Region& r = **region;
  const size_t page = r.pageSize();
  ASSERT_EQ(r.commit(0, 1), 1);
  ASSERT_EQ(r.commit(2, 1), 1);
  std::memset(r.base(), 0xAB, page);
  std::memset(r.base() + 2 * page, 0xAB, page);
  // From the middle of page 0 to the middle of page 2.
  EXPECT_EQ(r.zeroCommitted(page / 2, 2 * page), page);
  EXPECT_EQ(static_cast<unsigned char>(r.base()[page / 2 - 1]), 0xAB);
  EXPECT_EQ(static_cast<unsigned char>(r.base()[page / 2]), 0);
  EXPECT_EQ(static_cast<unsigned char>(r.base()[2 * page + page / 2 - 1]), 0);
  EXPECT_EQ(static_cast<unsigned char>(r.base()[2 * page + page / 2]), 0xAB);
  EXPECT_FALSE(r.isCommitted(1));
  EXPECT_EQ(residentPages(r.base(), r.size(), page), 2u);
}

}  // namespace
}  // namespace clemmys::heap
