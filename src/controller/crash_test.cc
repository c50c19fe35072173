// A controller killed (SIGKILL) while an activation runs: after restart on the same
// data directory the activation reads as a whisk internal error, never half-written.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>

#include "common/encoding.h"
#include "controller/controller.h"
#include "controller/fake_invoker_test_util.h"
#include "http/client.h"

namespace clemmys::controller::testing {
namespace {

namespace json = boost::json;

TEST(ControllerCrash, KilledMidActivationIsRecordedAsInternalError) {
  SystemRandom random;
  auto dir = std::filesystem::temp_directory_path() /
             ("clemmys-crash-" + std::to_string(getpid()) + "-" + random.hex(4));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: a controller whose invoker never returns; report the activation id.
    close(fds[0]);
    SystemClock clock;
    FakeInvoker invoker(clock);
    ControllerOptions o;
    o.dataDir = dir.string();
    auto c = Controller::start(o, invoker, clock, random);
    if (!c) _exit(2);
    http::Client client("127.0.0.1", (*c)->port());
    http::Headers h{{"Authorization", "Basic " + base64Encode((*c)->auth())}};
    auto put = client.request("PUT", "/api/v1/namespaces/_/actions/hang",
                              R"({"exec":{"kind":"python:3","code":"block"}})", h);
    if (!put || put->status != 200) _exit(3);
    auto inv = client.request("POST", "/api/v1/namespaces/_/actions/hang", "{}", h);
    if (!inv || inv->status != 202) _exit(4);
    std::string id(json::parse(inv->body).at("activationId").as_string());
    while (invoker.running() == 0) usleep(1000);
    if (write(fds[1], id.data(), id.size()) != ssize_t(id.size())) _exit(5);
    for (;;) pause();
  }
  close(fds[1]);
  char buf[32];
  ssize_t n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(n, 32) << "child exit status " << WEXITSTATUS(status);
  std::string id(buf, 32);

  SystemClock clock;
  FakeInvoker invoker(clock);
  ControllerOptions o;
  o.dataDir = dir.string();
  auto c = Controller::start(o, invoker, clock, random);
  ASSERT_TRUE(c) << c.error().str();
  http::Client client("127.0.0.1", (*c)->port());
  http::Headers h{{"Authorization", "Basic " + base64Encode((*c)->auth())}};
  auto got = client.request("GET", "/api/v1/namespaces/_/activations/" + id, "", h);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body;
  auto rec = json::parse(got->body);
  EXPECT_EQ(rec.at("response").at("status"), "whisk internal error");
  EXPECT_EQ(rec.at("response").at("success"), false);
  EXPECT_EQ(rec.at("name"), "hang");
  EXPECT_TRUE(rec.at("response").at("result").as_object().contains("error"));
  auto action = client.request("GET", "/api/v1/namespaces/_/actions/hang", "", h);
  EXPECT_EQ(action->status, 200);
  (*c)->stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace clemmys::controller::testing
