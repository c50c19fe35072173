#include "common/task_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace clemmys {
namespace {

TEST(TaskThreadTest, RunsEveryTaskOnTheSameThreadAndWaitsForIt) {
  TaskThread t;
  std::thread::id seen[2];
  int value = 0;
  ASSERT_TRUE(t.run([&] { seen[0] = std::this_thread::get_id(); value = 1; }));
  EXPECT_EQ(value, 1);  // run() returned after the task
  std::thread other([&] { ASSERT_TRUE(t.run([&] { seen[1] = std::this_thread::get_id(); })); });
  other.join();
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_NE(seen[0], std::this_thread::get_id());
}

TEST(TaskThreadTest, RefusesTasksOnceStopped) {
  TaskThread t;
  t.stop();
  bool ran = false;
  EXPECT_FALSE(t.run([&] { ran = true; }));
  EXPECT_FALSE(ran);
  t.stop();  // idempotent
}

TEST(TaskThreadTest, ManyCallersEachGetTheirOwnTaskRun) {
  TaskThread t;
  std::atomic<int> sum{0};
  std::vector<std::thread> callers;
  for (int i = 1; i <= 8; ++i) {
    callers.emplace_back([&, i] { EXPECT_TRUE(t.run([&] { sum += i; })); });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(sum.load(), 36);
}

}  // namespace
}  // namespace clemmys
