#include "invoker/launch_backend.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "common/subprocess.h"
#include "tee/simtee_client.h"

namespace clemmys::invoker {
namespace {

class ChildProcess final : public RuntimeProcess {
 public:
  explicit ChildProcess(Child child) : child_(std::move(child)), pid_(child_.pid()) {}
  pid_t pid() const override { return pid_; }
  void kill() override {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
  }
  void reap() override { child_.wait(); }

 private:
  Child child_;
  pid_t pid_;
};

class DirectBackend final : public LaunchBackend {
 public:
  Result<StartedProcess> start(const std::vector<std::string>& argv,
                               const std::vector<std::string>& env, int listenFd) override {
    SpawnOptions so;
    so.argv = argv;
    so.env = env;
    so.pipeStdout = so.pipeStderr = true;
    so.passFds = {{listenFd, 3}};
    so.newProcessGroup = true;
    so.dieWithParent = true;
    auto child = spawn(so);
    if (!child) return std::unexpected(child.error());
    StartedProcess out;
    out.stdoutFd = child->releaseStdout();
    out.stderrFd = child->releaseStderr();
    out.process = std::make_unique<ChildProcess>(std::move(*child));
    return out;
  }
};

// A process the simtee launched: the daemon is its parent and reaps it; we signal it
// and poll its exit status through the daemon. In its pid namespace the runtime is
// pid 1, so SIGKILL to it takes everything it started along.
class SimteeProcess final : public RuntimeProcess {
 public:
  SimteeProcess(std::string socket, pid_t pid) : client_(std::move(socket)), pid_(pid) {}
  pid_t pid() const override { return pid_; }
  void kill() override { (void)client_.signal(pid_, SIGKILL); }
  void reap() override {
    // Bounded: a daemon that went away cannot tell us, and its launches die with
    // their pipes' readers anyway (the runtime is killed above).
    for (int i = 0; i < 500; ++i) {
      auto st = client_.exitStatus(pid_);
      if (!st || st->has_value()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

 private:
  tee::SimteeClient client_;
  pid_t pid_;
};

class SimteeBackend final : public LaunchBackend {
 public:
  SimteeBackend(std::string socket, std::string rootfs) : socket_(std::move(socket)), rootfs_(std::move(rootfs)) {}
  Result<StartedProcess> start(const std::vector<std::string>& argv,
                               const std::vector<std::string>& env, int listenFd) override {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return fail("invoker.pipe_failed", std::strerror(errno));
    if (::pipe2(err, O_CLOEXEC) != 0) {
      ::close(out[0]);
      ::close(out[1]);
      return fail("invoker.pipe_failed", std::strerror(errno));
    }
    tee::LaunchRequest req;
    req.argv = argv;
    req.env = env;
    req.rootfs = rootfs_;
    req.fds = {{listenFd, 3}, {out[1], 1}, {err[1], 2}};
    tee::SimteeClient client(socket_);
    auto launched = client.launch(req);
    ::close(out[1]);
    ::close(err[1]);
    if (!launched) {
      ::close(out[0]);
      ::close(err[0]);
      return std::unexpected(launched.error());
    }
    StartedProcess s;
    s.stdoutFd = out[0];
    s.stderrFd = err[0];
    s.process = std::make_unique<SimteeProcess>(socket_, launched->pid);
    return s;
  }

 private:
  std::string socket_, rootfs_;
};

}  // namespace

std::unique_ptr<LaunchBackend> makeDirectBackend() { return std::make_unique<DirectBackend>(); }

std::unique_ptr<LaunchBackend> makeSimteeBackend(std::string socketPath, std::string rootfs) {
  return std::make_unique<SimteeBackend>(std::move(socketPath), std::move(rootfs));
}

}  // namespace clemmys::invoker
