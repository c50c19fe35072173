// Multi-process integration tests of `clemmys up --plain`: real processes, loopback,
// port 0, temporary data directories; every process is cleaned up.
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <thread>

#include "up_process.h"

namespace clemmys::testing {
namespace {

namespace json = boost::json;

const char* kSleeper =
    "import time\ndef main(p):\n    time.sleep(p.get('s', 0))\n    return {'slept': p.get('s', 0)}\n";

std::string actionBody(const std::string& code) {
  return json::serialize(json::object{{"exec", {{"kind", "python:3"}, {"code", code}}}});
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

class PlatformTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = makeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(PlatformTest, SigtermStopsEveryProcessItStarted) {
  UpProcess up(dir_);
  ASSERT_TRUE(up.ready());
  ASSERT_EQ(up.call("PUT", "/api/v1/namespaces/_/actions/s", actionBody(kSleeper))->status, 200);
  auto r = up.call("POST", "/api/v1/namespaces/_/actions/s?blocking=true", "{}");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto children = up.childPids();
  ASSERT_FALSE(children.empty()) << "expected at least one runtime process";
  ::kill(up.pid(), SIGTERM);
  auto status = up.child().wait(std::chrono::milliseconds(10000));
  ASSERT_TRUE(status) << "clemmys up did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (pid_t p : children) EXPECT_FALSE(alive(p)) << "runtime " << p << " survived";
}

TEST_F(PlatformTest, RestartKeepsActionsAndActivations) {
  std::string id;
  {
    UpProcess up(dir_);
    ASSERT_TRUE(up.ready());
    ASSERT_EQ(up.call("PUT", "/api/v1/namespaces/_/actions/keep", actionBody(kSleeper))->status,
              200);
    auto r = up.call("POST", "/api/v1/namespaces/_/actions/keep?blocking=true", "{}");
    ASSERT_TRUE(r && r->status == 200);
    id = json::parse(r->body).at("activationId").as_string().c_str();
  }
  UpProcess again(dir_);
  ASSERT_TRUE(again.ready());
  auto action = again.call("GET", "/api/v1/namespaces/_/actions/keep");
  ASSERT_TRUE(action);
  EXPECT_EQ(action->status, 200);
  auto activation = again.call("GET", "/api/v1/namespaces/_/activations/" + id);
  ASSERT_TRUE(activation);
  EXPECT_EQ(activation->status, 200) << activation->body;
}

// Starts the platform, invokes a 30 s sleeper at `invokeQuery` (must answer 202),
// waits `before`, SIGKILLs the whole platform, restarts it and expects the
// activation's record to read as interrupted.
void expectInterruptedAfterCrash(const std::string& dir, const std::string& invokeQuery,
                                 std::chrono::milliseconds before) {
  std::string id;
  {
    UpProcess up(dir);
    ASSERT_TRUE(up.ready());
    ASSERT_EQ(up.call("PUT", "/api/v1/namespaces/_/actions/slow", actionBody(kSleeper))->status,
              200);
    auto r = up.call("POST", "/api/v1/namespaces/_/actions/slow" + invokeQuery, R"({"s": 30})");
    ASSERT_TRUE(r && r->status == 202) << (r ? r->body : r.error().str());
    id = json::parse(r->body).at("activationId").as_string().c_str();
    std::this_thread::sleep_for(before);
    up.child().kill(SIGKILL);  // the whole platform dies mid-activation
    up.child().wait();
  }
  UpProcess again(dir);
  ASSERT_TRUE(again.ready());
  auto activation = again.call("GET", "/api/v1/namespaces/_/activations/" + id);
  ASSERT_TRUE(activation);
  ASSERT_EQ(activation->status, 200) << activation->body;
  auto record = json::parse(activation->body);
  EXPECT_EQ(record.at("response").at("success").as_bool(), false);
  EXPECT_EQ(record.at("response").at("status").as_string(), "whisk internal error");
}

TEST_F(PlatformTest, CrashMidActivationIsRecordedAsFailed) {
  expectInterruptedAfterCrash(dir_, "", std::chrono::milliseconds(800));
}

// A blocking invoke's pending row is written behind; the 202 it answers after its
// wait (here 1 ms, shorter than the writer's batch window) must still leave a row
// that a crash right after turns into an interrupted record.
TEST_F(PlatformTest, CrashAfterABlockingInvokesWaitIsRecordedAsFailed) {
  expectInterruptedAfterCrash(dir_, "?blocking=true&timeout=1", std::chrono::milliseconds(0));
}

TEST_F(PlatformTest, TooManyInFlightIs429) {
  UpProcess up(dir_, {"--max-in-flight", "2"});
  ASSERT_TRUE(up.ready());
  ASSERT_EQ(up.call("PUT", "/api/v1/namespaces/_/actions/slow", actionBody(kSleeper))->status,
            200);
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(up.call("POST", "/api/v1/namespaces/_/actions/slow", R"({"s": 2})")->status, 202);
  auto third = up.call("POST", "/api/v1/namespaces/_/actions/slow", R"({"s": 2})");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 429);
  EXPECT_NE(third->body.find("Too many concurrent requests in flight"), std::string::npos);
}

}  // namespace
}  // namespace clemmys::testing
