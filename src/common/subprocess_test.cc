#include "common/subprocess.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace clemmys {
namespace {

std::string readAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(Subprocess, PipesAndExitStatus) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "read x; echo out:$x; echo err >&2; exit 3"};
  o.pipeStdin = o.pipeStdout = o.pipeStderr = true;
  auto child = spawn(o);
  ASSERT_TRUE(child) << child.error().str();
  ASSERT_EQ(::write(child->stdinFd(), "hi\n", 3), 3);
  child->closeStdin();
  EXPECT_EQ(readAll(child->stdoutFd()), "out:hi\n");
  EXPECT_EQ(readAll(child->stderrFd()), "err\n");
  auto st = child->wait();
  ASSERT_TRUE(st);
  EXPECT_EQ(WEXITSTATUS(*st), 3);
}

TEST(Subprocess, PassesFdsAndEnv) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "echo $GREETING >&3"};
  o.env = std::vector<std::string>{"GREETING=hello"};
  o.passFds = {{p[1], 3}};
  auto child = spawn(o);
  ASSERT_TRUE(child);
  close(p[1]);
  EXPECT_EQ(readAll(p[0]), "hello\n");
  close(p[0]);
  child->wait();
}

TEST(Subprocess, ExecFailureIsNamed) {
  SpawnOptions o;
  o.argv = {"/nonexistent/binary"};
  auto child = spawn(o);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().name, "subprocess.exec_failed");
}

TEST(Subprocess, TerminateKillsProcessGroup) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30"};
  auto child = spawn(o);
  ASSERT_TRUE(child);
  pid_t pgid = child->pid();
  child->terminate(std::chrono::milliseconds(500));
  EXPECT_FALSE(child->running());
  // Nothing of the group survives (the grandchild sleep got the signal too). The
  // orphaned grandchild is reaped by init, which may take a moment under load.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = ::kill(-pgid, 0) != 0;
    if (!gone) usleep(10 * 1000);
  }
  EXPECT_TRUE(gone);
}

}  // namespace
}  // namespace clemmys
