// The pool against the real clemmys-runtime, with real cpp (testdata/functions.cc) and
// python:3 (testdata/echo.py) actions. Prints cold-start and warm-path timings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/encoding.h"
#include "invoker/classify.h"
#include "invoker/pool.h"
#include "invoker/process_memory.h"

namespace clemmys::invoker {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

class PoolIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    library_ = new std::string(base64Encode(readFile(CLEMMYS_INVOKER_FUNCTIONS)));
  }
  static void TearDownTestSuite() { delete library_; }

  PoolOptions options() {
    PoolOptions o;
    o.runtimeBinary = CLEMMYS_RUNTIME_BIN;
    o.apiHost = "http://127.0.0.1:3233";
    o.memoryBudgetMb = 2048;
    return o;
  }
  std::unique_ptr<Pool> startPool(PoolOptions o) {
    auto p = Pool::start(std::move(o), clock_);
    EXPECT_TRUE(p.has_value());
    return std::move(*p);
  }
  RunRequest cpp(const std::string& entry, json::object params = {}, int memoryMb = 128,
                 int timeoutMs = 10000) {
    RunRequest r;
    r.action.ns = "guest";
    r.action.fqn = "/guest/" + entry;
    r.action.kind = "cpp";
    r.action.main = entry == "echo" ? "main" : entry;
    r.action.code = *library_;
    r.action.binary = true;
    r.action.version = "0.0.1";
    r.action.revision = "r1";
    r.action.limits.memoryMb = memoryMb;
    r.action.limits.timeoutMs = timeoutMs;
    r.params = std::move(params);
    r.activationId = "00000000000000000000000000000001";
    r.transactionId = "tx1";
    r.deadlineMs = clock_.nowMs() + 60000;
    return r;
  }
  static std::string errorOf(const RunResult& r) {
    return std::string(r.result.as_object().at("error").as_string());
  }
  SystemClock clock_;
  static std::string* library_;
};
std::string* PoolIntegrationTest::library_ = nullptr;

TEST_F(PoolIntegrationTest, CppColdThenWarmWithTimings) {
  auto pool = startPool(options());
  int64_t t0 = monotonicUs();
  auto cold = pool->run(cpp("echo", {{"x", 1}}));
  int64_t coldUs = monotonicUs() - t0;
  ASSERT_EQ(cold.status, RunStatus::success) << json::serialize(cold.result);
  ASSERT_TRUE(cold.initTimeMs.has_value());
  EXPECT_EQ(json::serialize(cold.result), R"({"params":{"x":1}})");
  EXPECT_TRUE(contains(cold.logs, " stdout: echo 00000000000000000000000000000001"));
  EXPECT_TRUE(contains(cold.logs, " stderr: echo on stderr"));
  std::printf("[ timing ] cpp cold start: total %.2f ms (waitTime %lld ms, initTime %lld ms)\n",
              coldUs / 1000.0, static_cast<long long>(cold.waitTimeMs),
              static_cast<long long>(*cold.initTimeMs));

  std::vector<int64_t> us;
  for (int i = 0; i < 1000; ++i) {
    int64_t s = monotonicUs();
    auto warm = pool->run(cpp("echo", {{"i", i}}));
    us.push_back(monotonicUs() - s);
    ASSERT_EQ(warm.status, RunStatus::success);
    ASSERT_FALSE(warm.initTimeMs.has_value());
    ASSERT_EQ(warm.logs.size(), 2u);
  }
  std::sort(us.begin(), us.end());
  std::printf("[ timing ] cpp warm run(): p50 %lld us, p99 %lld us (1000 runs)\n",
              static_cast<long long>(us[500]), static_cast<long long>(us[990]));
  EXPECT_LT(us[500], 20000);  // loose: the machine is shared; see the printed figure
  auto s = pool->stats();
  EXPECT_EQ(s.coldStarts, 1u);
  EXPECT_EQ(s.warmStarts, 1000u);
}

TEST_F(PoolIntegrationTest, ConcurrentWarmThroughput) {
  auto pool = startPool(options());
  constexpr int kThreads = 16, kRuns = 300;
  std::atomic<int> ok{0};
  auto work = [&] {
    for (int i = 0; i < kRuns; ++i) {
      ok += pool->run(cpp("echo", {{"i", i}})).status == RunStatus::success;
    }
  };
  {  // cold-start the instances first (jthreads join at scope end)
    std::vector<std::jthread> warmup;
    for (int t = 0; t < kThreads; ++t) warmup.emplace_back([&] { pool->run(cpp("echo")); });
  }
  int64_t t0 = monotonicUs();
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(work);
  }
  double secs = (monotonicUs() - t0) / 1e6;
  EXPECT_EQ(ok.load(), kThreads * kRuns);
  EXPECT_LE(pool->stats().instances, kThreads);
  std::printf("[ timing ] cpp warm, %d threads: %.0f runs/s (%d instances)\n", kThreads,
              kThreads * kRuns / secs, pool->stats().instances);
}

TEST_F(PoolIntegrationTest, PythonActionColdAndWarm) {
  auto pool = startPool(options());
  RunRequest r = cpp("echo");
  r.action.fqn = "/guest/pyecho";
  r.action.kind = "python:3";
  r.action.main = "main";
  r.action.binary = false;
  r.action.code = readFile(std::string(CLEMMYS_INVOKER_TESTDATA) + "/echo.py");
  r.params = json::object{{"name", "clemmys"}};
  auto cold = pool->run(r);
  ASSERT_EQ(cold.status, RunStatus::success) << json::serialize(cold.result);
  ASSERT_TRUE(cold.initTimeMs.has_value());
  EXPECT_EQ(cold.result.at("greeting").as_string(), "hi clemmys");
  EXPECT_TRUE(contains(cold.logs, "stdout: hello from python clemmys"));
  EXPECT_TRUE(contains(cold.logs, "stderr: python stderr"));
  std::printf("[ timing ] python:3 cold start: initTime %lld ms\n",
              static_cast<long long>(*cold.initTimeMs));
  auto warm = pool->run(r);
  EXPECT_EQ(warm.status, RunStatus::success);
  EXPECT_FALSE(warm.initTimeMs.has_value());
  EXPECT_FALSE(contains(warm.logs, "python action loaded"));
}

TEST_F(PoolIntegrationTest, TimeoutKillsAndNextRunWorks) {
  auto pool = startPool(options());
  auto slow = pool->run(cpp("spin", {}, 128, 300));
  EXPECT_EQ(slow.status, RunStatus::developerError);
  EXPECT_TRUE(slow.timedOut);
  EXPECT_EQ(errorOf(slow), "The action exceeded its time limits of 300 milliseconds.");
  auto quick = pool->run(cpp("spin", {{"ms", 1}}, 128, 300));
  EXPECT_EQ(quick.status, RunStatus::success) << json::serialize(quick.result);
  EXPECT_TRUE(quick.initTimeMs.has_value());  // the timed-out instance was discarded
}

TEST_F(PoolIntegrationTest, CrashIsDeveloperErrorAndNextRunWorks) {
  auto pool = startPool(options());
  auto crash = pool->run(cpp("crash"));
  EXPECT_EQ(crash.status, RunStatus::developerError);
  EXPECT_TRUE(contains(crash.logs, "about to abort"));
  auto ok = pool->run(cpp("echo"));
  EXPECT_EQ(ok.status, RunStatus::success);
  EXPECT_EQ(pool->stats().instances, 1);
}

TEST_F(PoolIntegrationTest, MemoryLimitKills) {
  auto pool = startPool(options());
  auto big = pool->run(cpp("hog", {{"mb", 300}}, 128));
  EXPECT_EQ(big.status, RunStatus::developerError);
  EXPECT_EQ(errorOf(big), "The action exceeded its memory limit of 128 MB.");
  auto small = pool->run(cpp("hog", {{"mb", 16}}, 128));
  EXPECT_EQ(small.status, RunStatus::success) << json::serialize(small.result);
  EXPECT_EQ(pool->stats().memoryKills, 1u);
}

TEST_F(PoolIntegrationTest, LogsCapturedAndTruncated) {
  auto pool = startPool(options());
  auto r = cpp("chatty", {{"lines", 5}});
  auto few = pool->run(r);
  ASSERT_EQ(few.status, RunStatus::success);
  ASSERT_EQ(few.logs.size(), 5u);
  EXPECT_EQ(few.logs[0].substr(30, 20), " stdout: line 000000");
  r.action.limits.logsMb = 1;
  // ~2 MB: more than the pipe holds, so the pipes are drained while /run waits.
  r.params = json::object{{"lines", 20000}};
  auto many = pool->run(r);
  ASSERT_EQ(many.status, RunStatus::success);
  EXPECT_LT(many.logs.size(), 12000u);
  EXPECT_NE(many.logs.back().find("Logs were truncated because the total bytes size exceeds "
                                  "the limit of 1048576 bytes."),
            std::string::npos);
  r.params = json::object{{"lines", 2}};
  EXPECT_EQ(pool->run(r).logs.size(), 2u);
}

TEST_F(PoolIntegrationTest, PrewarmedCppInstanceIsUsed) {
  auto o = options();
  o.prewarm = {{"cpp", 1}};
  auto pool = startPool(o);
  for (int i = 0; i < 300 && pool->stats().prewarmed < 1; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(pool->stats().prewarmed, 1);
  int64_t t0 = monotonicUs();
  auto r = pool->run(cpp("echo"));
  int64_t totalUs = monotonicUs() - t0;
  ASSERT_EQ(r.status, RunStatus::success);
  ASSERT_TRUE(r.initTimeMs.has_value());
  EXPECT_EQ(pool->stats().prewarmHits, 1u);
  std::printf("[ timing ] cpp cold start from prewarm: total %.2f ms (initTime %lld ms)\n",
              totalUs / 1000.0, static_cast<long long>(*r.initTimeMs));
}

TEST_F(PoolIntegrationTest, EvictionUnderBudgetAndStopLeavesNoChildren) {
  auto o = options();
  o.memoryBudgetMb = 256;
  auto pool = startPool(o);
  auto a = cpp("echo");
  auto b = cpp("echo");
  b.action.fqn = "/guest/echo-b";
  auto c = cpp("echo");
  c.action.fqn = "/guest/echo-c";
  EXPECT_EQ(pool->run(a).status, RunStatus::success);
  EXPECT_EQ(pool->run(b).status, RunStatus::success);
  EXPECT_EQ(pool->run(c).status, RunStatus::success);  // evicts a
  EXPECT_EQ(pool->stats().evictions, 1u);
  EXPECT_FALSE(pool->run(c).initTimeMs.has_value());
  EXPECT_TRUE(pool->run(a).initTimeMs.has_value());
  EXPECT_LE(pool->stats().usedMemoryMb, 256);
  EXPECT_EQ(processTree(getpid()).size(), 3u);  // us + two runtimes
  pool->stop();
  EXPECT_EQ(processTree(getpid()).size(), 1u);
}

}  // namespace
}  // namespace clemmys::invoker
