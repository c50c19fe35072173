// Integration tests of secure `clemmys up`: the real simtee, KMS, gateway and
// attested runtimes; the client speaks HTTPS to the gateway trusting only the
// session CA from <data>/wskprops.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/encoding.h"
#include "up_process.h"

namespace clemmys::testing {
namespace {

namespace json = boost::json;

const char* kEcho =
    "def main(p):\n    print('seen', p.get('name'))\n    return {'hi': 'hello ' + p.get('name', '?')}\n";

std::string readAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Processes whose command line mentions `needle` (the data dir is in every
// trusted process's and runtime's argv).
std::vector<pid_t> processesMentioning(const std::string& needle) {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (auto* e = readdir(d)) {
    pid_t p = std::atoi(e->d_name);
    if (p <= 0) continue;
    std::string cmd = readAll("/proc/" + std::to_string(p) + "/cmdline");
    if (cmd.find(needle) != std::string::npos) out.push_back(p);
  }
  closedir(d);
  return out;
}

class SecurePlatformTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = makeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SecurePlatformTest, DeployInvokeOverHttpsThenStopLeavesNothing) {
  UpProcess up(dir_, {}, /*secure=*/true);
  ASSERT_TRUE(up.ready());
  std::string body = json::serialize(json::object{{"exec", {{"kind", "python:3"}, {"code", kEcho}}}});
  auto put = up.call("PUT", "/api/v1/namespaces/_/actions/echo", body);
  ASSERT_TRUE(put) << put.error().str();
  ASSERT_EQ(put->status, 200) << put->body;
  auto r = up.call("POST", "/api/v1/namespaces/_/actions/echo?blocking=true&result=true",
                   R"({"name":"Zephyrine"})");
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body).at("hi").as_string(), "hello Zephyrine");

  // The untrusted controller's files hold neither the argument nor the code.
  for (auto& f : std::filesystem::directory_iterator(dir_ + "/controller")) {
    std::string bytes = readAll(f.path());
    EXPECT_EQ(bytes.find("Zephyrine"), std::string::npos) << f.path();
    EXPECT_EQ(bytes.find("print('seen'"), std::string::npos) << f.path();
  }

  ASSERT_FALSE(processesMentioning(dir_).empty());
  ::kill(up.pid(), SIGTERM);
  auto status = up.child().wait(std::chrono::milliseconds(20000));
  ASSERT_TRUE(status) << "clemmys up did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(processesMentioning(dir_).empty()) << "a simtee, KMS, gateway or runtime survived";
}

TEST_F(SecurePlatformTest, WrongClientCredentialsAre401) {
  UpProcess up(dir_, {}, /*secure=*/true);
  ASSERT_TRUE(up.ready());
  auto r = up.callAs("Basic " + base64Encode("nobody:" + std::string(64, 'k')), "GET",
                     "/api/v1/namespaces/_/actions");
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->status, 401);
  auto ok = up.call("GET", "/api/v1/namespaces/_/actions");
  ASSERT_TRUE(ok) << ok.error().str();
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(SecurePlatformTest, RestartReusesOwnerKeyAndPolicy) {
  std::string key, applied;
  {
    UpProcess up(dir_, {}, true);
    ASSERT_TRUE(up.ready());
    key = readAll(dir_ + "/owner/owner.pem");
    applied = readAll(dir_ + "/owner/dev.applied");
    ASSERT_FALSE(key.empty());
    ASSERT_FALSE(applied.empty());
  }
  UpProcess again(dir_, {}, true);
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(readAll(dir_ + "/owner/owner.pem"), key);
  // Same ports, same measurements: the KMS keeps the same policy version.
  EXPECT_EQ(readAll(dir_ + "/owner/dev.applied"), applied);
  auto ok = again.call("GET", "/api/v1/namespaces/_/actions");
  ASSERT_TRUE(ok) << ok.error().str();
  EXPECT_EQ(ok->status, 200);
}

}  // namespace
}  // namespace clemmys::testing
