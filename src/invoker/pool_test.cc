// Pool behaviour against the Python test double of the runtime (testdata/fake_runtime.py).
#include "invoker/pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include <thread>

#include "invoker/classify.h"
#include "invoker/process_memory.h"

namespace clemmys::invoker {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class PoolTest : public ::testing::Test {
 protected:
  PoolOptions options() {
    PoolOptions o;
    o.runtimeBinary = std::string(CLEMMYS_INVOKER_TESTDATA) + "/fake_runtime.py";
    o.apiHost = "http://127.0.0.1:1";
    o.memoryBudgetMb = 1024;
    o.inProcessKinds = {"python:3"};  // the double runs Python in its own process
    return o;
  }
  std::unique_ptr<Pool> startPool(PoolOptions o) {
    auto p = Pool::start(std::move(o), clock_);
    EXPECT_TRUE(p.has_value());
    return std::move(*p);
  }
  RunRequest request(const std::string& fqn, const std::string& code, int memoryMb = 128,
                     int timeoutMs = 10000) {
    RunRequest r;
    r.action.ns = "guest";
    r.action.fqn = fqn;
    r.action.kind = "python:3";
    r.action.main = "main";
    r.action.code = code;
    r.action.version = "0.0.1";
    r.action.revision = "1";
    r.action.limits.memoryMb = memoryMb;
    r.action.limits.timeoutMs = timeoutMs;
    r.params = json::object{{"name", "pool"}};
    r.activationId = "0123456789abcdef0123456789abcdef";
    r.transactionId = "tx";
    r.deadlineMs = clock_.nowMs() + 30000;
    return r;
  }
  static std::string errorOf(const RunResult& r) {
    return std::string(r.result.as_object().at("error").as_string());
  }
  SystemClock clock_;
};

const char* kEcho = R"(
import os, sys
print("loading")
def main(args):
    print("hello " + args.get("name", "?"))
    print("to stderr", file=sys.stderr)
    return {"name": args.get("name"), "host": os.environ.get("__OW_API_HOST"),
            "aid": os.environ.get("__OW_ACTIVATION_ID"), "fqn": os.environ.get("__OW_ACTION_NAME")}
)";

bool contains(const std::vector<std::string>& lines, const std::string& text) {
  for (auto& l : lines) {
    if (l.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_F(PoolTest, ColdThenWarmWithLogsAndContext) {
  auto pool = startPool(options());
  auto first = pool->run(request("/guest/echo", kEcho));
  ASSERT_EQ(first.status, RunStatus::success) << json::serialize(first.result);
  ASSERT_TRUE(first.initTimeMs.has_value());
  EXPECT_EQ(first.result.at("name").as_string(), "pool");
  EXPECT_EQ(first.result.at("host").as_string(), "http://127.0.0.1:1");
  EXPECT_EQ(first.result.at("aid").as_string(), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(first.result.at("fqn").as_string(), "/guest/echo");
  EXPECT_TRUE(contains(first.logs, " stdout: loading"));  // printed during /init
  EXPECT_TRUE(contains(first.logs, " stdout: hello pool"));
  EXPECT_TRUE(contains(first.logs, " stderr: to stderr"));
  EXPECT_GE(first.endMs, first.startMs);

  auto second = pool->run(request("/guest/echo", kEcho));
  ASSERT_EQ(second.status, RunStatus::success);
  EXPECT_FALSE(second.initTimeMs.has_value());
  EXPECT_EQ(second.logs.size(), 2u);
  EXPECT_FALSE(contains(second.logs, "loading"));
  auto s = pool->stats();
  EXPECT_EQ(s.coldStarts, 1u);
  EXPECT_EQ(s.warmStarts, 1u);
  EXPECT_EQ(s.instances, 1);
  EXPECT_EQ(s.usedMemoryMb, 128);

  auto other = request("/guest/echo", kEcho);
  other.action.revision = "2";  // an update never reuses the old revision's instance
  EXPECT_TRUE(pool->run(other).initTimeMs.has_value());
}

TEST_F(PoolTest, ApplicationErrorKeepsInstanceDeveloperErrorDiscardsIt) {
  auto pool = startPool(options());
  const char* code = R"(
def main(args):
    if args.get("throw"):
        raise Exception("thrown")
    return {"error": "bad input"}
)";
  auto app = pool->run(request("/guest/err", code));
  EXPECT_EQ(app.status, RunStatus::applicationError);
  EXPECT_EQ(errorOf(app), "bad input");
  auto r = request("/guest/err", code);
  r.params = json::object{{"throw", true}};
  auto dev = pool->run(r);
  EXPECT_FALSE(dev.initTimeMs.has_value());
  EXPECT_EQ(dev.status, RunStatus::developerError);
  EXPECT_TRUE(contains(dev.logs, "thrown"));
  auto again = pool->run(request("/guest/err", code));
  EXPECT_TRUE(again.initTimeMs.has_value());  // the failed instance was discarded
}

TEST_F(PoolTest, InitFailureIsDeveloperErrorWithLogs) {
  auto pool = startPool(options());
  auto r = pool->run(request("/guest/broken", "def main(args) return 1"));
  EXPECT_EQ(r.status, RunStatus::developerError);
  EXPECT_TRUE(r.initTimeMs.has_value());
  EXPECT_NE(errorOf(r).find("init failed"), std::string::npos);
  EXPECT_TRUE(contains(r.logs, "stderr: init failed"));
  EXPECT_EQ(pool->stats().instances, 0);
}

const char* kSleepy = R"(
import time, os
def main(args):
    if args.get("sleep"):
        time.sleep(args["sleep"])
    if args.get("abort"):
        os.abort()
    if args.get("alloc"):
        block = b"x" * (args["alloc"] << 20)
        return {"len": len(block)}
    if args.get("spam"):
        for i in range(args["spam"]):
            print("line %06d %s" % (i, "y" * 100))
    return {"ok": True}
)";

TEST_F(PoolTest, TimeoutKillsInstanceAndNextRunWorks) {
  auto pool = startPool(options());
  auto r = request("/guest/sleepy", kSleepy, 128, 1000);
  r.params = json::object{{"sleep", 5}};
  int64_t t0 = monotonicUs();
  auto slow = pool->run(r);
  EXPECT_LT(monotonicUs() - t0, 3'000'000);
  EXPECT_EQ(slow.status, RunStatus::developerError);
  EXPECT_TRUE(slow.timedOut);
  EXPECT_EQ(errorOf(slow), "The action exceeded its time limits of 1000 milliseconds.");
  auto ok = pool->run(request("/guest/sleepy", kSleepy, 128, 1000));
  EXPECT_EQ(ok.status, RunStatus::success);
  EXPECT_EQ(pool->stats().timeouts, 1u);
}

TEST_F(PoolTest, CrashIsDeveloperErrorAndPoolKeepsServing) {
  auto pool = startPool(options());
  auto r = request("/guest/sleepy", kSleepy);
  r.params = json::object{{"abort", true}};
  auto crash = pool->run(r);
  EXPECT_EQ(crash.status, RunStatus::developerError);
  EXPECT_EQ(errorOf(crash), abnormalRunMessage());
  EXPECT_EQ(pool->run(request("/guest/sleepy", kSleepy)).status, RunStatus::success);
  EXPECT_EQ(pool->stats().crashes, 1u);
}

// Blame (issue 16): a runtime that vanishes during /run although its function runs
// in a child it supervises failed on its own: whisk internal error, not the action's.
TEST_F(PoolTest, RuntimeLostOutsideAnInProcessKindIsInternalError) {
  auto o = options();
  o.inProcessKinds = {};  // as for clemmys-runtime's python: the function is a child
  auto pool = startPool(o);
  auto r = request("/guest/sleepy", kSleepy);
  r.params = json::object{{"abort", true}};
  auto lost = pool->run(r);
  EXPECT_EQ(lost.status, RunStatus::internalError);
  EXPECT_EQ(errorOf(lost), runtimeLostMessage());
  EXPECT_EQ(pool->run(request("/guest/sleepy", kSleepy)).status, RunStatus::success);
}

// A runtime that cannot attest (the KMS refuses, is flooded or down) dies before
// answering /init: the record says whisk internal error and why.
TEST_F(PoolTest, RuntimeStartFailureIsInternalErrorWithTheReason) {
  auto o = options();
  o.runtimeBinary = std::string(CLEMMYS_INVOKER_TESTDATA) + "/failing_runtime.sh";
  auto pool = startPool(o);
  auto r = pool->run(request("/guest/echo", kEcho));
  EXPECT_EQ(r.status, RunStatus::internalError);
  EXPECT_EQ(errorOf(r), runtimeStartMessage("kms.too_many_challenges: the KMS answered 429"));
}

TEST_F(PoolTest, MemoryLimitKillsInstance) {
  auto pool = startPool(options());
  auto r = request("/guest/sleepy", kSleepy, 128);
  r.params = json::object{{"alloc", 300}};
  auto big = pool->run(r);
  EXPECT_EQ(big.status, RunStatus::developerError);
  EXPECT_EQ(errorOf(big), "The action exceeded its memory limit of 128 MB.");
  EXPECT_EQ(pool->stats().memoryKills, 1u);
  r.params = json::object{{"alloc", 16}};
  EXPECT_EQ(pool->run(r).status, RunStatus::success);
}

TEST_F(PoolTest, LogsTruncatedAtLimit) {
  auto pool = startPool(options());
  auto r = request("/guest/sleepy", kSleepy);
  r.action.limits.logsMb = 1;
  r.params = json::object{{"spam", 20000}};  // ~2.2 MB
  auto res = pool->run(r);
  ASSERT_EQ(res.status, RunStatus::success);
  ASSERT_GT(res.logs.size(), 1000u);
  EXPECT_LT(res.logs.size(), 20000u);
  EXPECT_NE(res.logs.back().find("Logs were truncated because the total bytes size exceeds the "
                                 "limit of 1048576 bytes."),
            std::string::npos);
  // The next activation's logs are complete and separate.
  r.params = json::object{{"spam", 3}};
  auto next = pool->run(r);
  EXPECT_EQ(next.logs.size(), 3u);
  EXPECT_NE(next.logs[0].find("line 000000"), std::string::npos);
}

TEST_F(PoolTest, EvictsLeastRecentlyUsedWhenBudgetIsFull) {
  auto o = options();
  o.memoryBudgetMb = 256;
  auto pool = startPool(o);
  EXPECT_EQ(pool->run(request("/guest/a", kEcho)).status, RunStatus::success);
  EXPECT_EQ(pool->run(request("/guest/b", kEcho)).status, RunStatus::success);
  EXPECT_FALSE(pool->run(request("/guest/a", kEcho)).initTimeMs.has_value());  // b is now LRU
  auto c = pool->run(request("/guest/c", kEcho));
  EXPECT_TRUE(c.initTimeMs.has_value());
  auto s = pool->stats();
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_EQ(s.instances, 2);
  EXPECT_EQ(s.usedMemoryMb, 256);
  auto a2 = pool->run(request("/guest/a", kEcho));
  EXPECT_FALSE(a2.initTimeMs.has_value()) << json::serialize(a2.result);
  EXPECT_TRUE(pool->run(request("/guest/b", kEcho)).initTimeMs.has_value());
}

TEST_F(PoolTest, ARunningActionWaitsForItsInstanceInsteadOfEvictingAnother) {
  auto o = options();
  o.memoryBudgetMb = 256;  // two instances
  auto pool = startPool(o);
  EXPECT_EQ(pool->run(request("/guest/a", kEcho)).status, RunStatus::success);  // a: idle, warm
  auto slow = request("/guest/sleepy", kSleepy);
  slow.params = json::object{{"sleep", 0.4}};
  std::thread first([&] { EXPECT_EQ(pool->run(slow).status, RunStatus::success); });
  std::this_thread::sleep_for(200ms);  // sleepy is busy, the budget is full
  auto second = pool->run(slow);       // waits for sleepy's own instance
  first.join();
  EXPECT_EQ(second.status, RunStatus::success);
  EXPECT_FALSE(second.initTimeMs.has_value()) << "the second run reused the first's instance";
  EXPECT_EQ(pool->stats().evictions, 0u);
  EXPECT_FALSE(pool->run(request("/guest/a", kEcho)).initTimeMs.has_value()) << "a stayed warm";
}

TEST_F(PoolTest, WaitsForCapacityThenFailsAtDeadline) {
  auto o = options();
  o.memoryBudgetMb = 128;
  auto pool = startPool(o);
  auto slow = request("/guest/sleepy", kSleepy);
  slow.params = json::object{{"sleep", 0.6}};
  std::thread t([&] { EXPECT_EQ(pool->run(slow).status, RunStatus::success); });
  std::this_thread::sleep_for(200ms);  // let it occupy the whole budget
  auto hurried = request("/guest/echo", kEcho);
  hurried.deadlineMs = clock_.nowMs() + 50;
  auto refused = pool->run(hurried);
  EXPECT_EQ(refused.status, RunStatus::internalError);
  auto patient = pool->run(request("/guest/echo", kEcho));
  EXPECT_EQ(patient.status, RunStatus::success);
  EXPECT_GE(patient.waitTimeMs, 200);  // waited for the sleeper, then evicted it
  t.join();
  auto tooBig = pool->run(request("/guest/echo", kEcho, 512));
  EXPECT_EQ(tooBig.status, RunStatus::internalError);
}

TEST_F(PoolTest, PrewarmedInstanceIsUsedAndRefilled) {
  auto o = options();
  o.prewarm = {{"python:3", 1}};
  auto pool = startPool(o);
  auto waitFor = [&](auto pred) {
    for (int i = 0; i < 500 && !pred(pool->stats()); ++i) std::this_thread::sleep_for(10ms);
    return pred(pool->stats());
  };
  ASSERT_TRUE(waitFor([](const Pool::Stats& s) { return s.prewarmed == 1; }));
  auto r = pool->run(request("/guest/echo", kEcho));
  EXPECT_EQ(r.status, RunStatus::success);
  EXPECT_TRUE(r.initTimeMs.has_value());
  EXPECT_TRUE(contains(r.logs, "loading"));
  EXPECT_EQ(pool->stats().prewarmHits, 1u);
  EXPECT_TRUE(waitFor([](const Pool::Stats& s) { return s.prewarmed == 1 && s.idle == 1; }));
  EXPECT_EQ(pool->stats().usedMemoryMb, 128 + 256);
}

// A prewarmed python:3 runtime is sent /prestart as soon as it is launched (the
// double records it); PrewarmedInstanceIsUsedAndRefilled covers a runtime that 404s.
TEST_F(PoolTest, PrewarmedInstanceIsSentPrestart) {
  auto o = options();
  o.prewarm = {{"python:3", 1}};
  o.runtimeEnv = {"FAKE_RUNTIME_PRESTART=1"};
  auto pool = startPool(o);
  for (int i = 0; i < 500 && pool->stats().prewarmed != 1; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(pool->stats().prewarmed, 1);
  const char* probe = R"(
import os
def main(args):
    return {"prestarted": os.environ.get("FAKE_RUNTIME_PRESTARTED")}
)";
  // The /prestart is sent right after the launch, in the background: allow it to land.
  RunResult r;
  for (int i = 0; i < 100; ++i) {
    auto req = request("/guest/probe" + std::to_string(i), probe);
    r = pool->run(req);
    ASSERT_EQ(r.status, RunStatus::success);
    if (r.result.as_object().at("prestarted") == "python:3") break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(r.result.as_object().at("prestarted"), "python:3");
  EXPECT_GE(pool->stats().prewarmHits, 1u);
}

TEST_F(PoolTest, IdleInstancesAreReaped) {
  auto o = options();
  o.idleEviction = 100ms;
  auto pool = startPool(o);
  EXPECT_EQ(pool->run(request("/guest/echo", kEcho)).status, RunStatus::success);
  for (int i = 0; i < 200 && pool->stats().instances > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(pool->stats().instances, 0);
  EXPECT_EQ(pool->stats().usedMemoryMb, 0);
}

TEST_F(PoolTest, ConcurrentRunsAndStopLeavesNoChildren) {
  auto o = options();
  o.prewarm = {{"python:3", 1}};
  auto pool = startPool(o);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = pool->run(request("/guest/echo", kEcho));
        EXPECT_EQ(r.status, RunStatus::success) << json::serialize(r.result);
        ok += r.status == RunStatus::success;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_LE(pool->stats().instances, 5);
  // A run in flight during stop() fails fast instead of blocking stop().
  auto slow = request("/guest/sleepy", kSleepy);
  slow.params = json::object{{"sleep", 30}};
  std::thread inflight([&] { EXPECT_NE(pool->run(slow).status, RunStatus::success); });
  std::this_thread::sleep_for(300ms);
  EXPECT_GT(processTree(getpid()).size(), 1u);
  pool->stop();
  inflight.join();
  EXPECT_EQ(processTree(getpid()).size(), 1u);
  EXPECT_EQ(pool->run(request("/guest/echo", kEcho)).status, RunStatus::internalError);
}

}  // namespace
}  // namespace clemmys::invoker
