#include "common/subprocess.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace clemmys {
namespace {

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

struct Pipe {
  int r = -1, w = -1;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    r = fds[0];
    w = fds[1];
    return true;
  }
  void close() {
    closeFd(r);
    closeFd(w);
  }
};

// In the child after fork: only async-signal-safe calls until exec.
[[noreturn]] void childExec(pid_t parent, const SpawnOptions& o, const Pipe& in, const Pipe& out,
                            const Pipe& err, char* const* argv, char* const* envp,
                            int errPipe) {
  auto die = [&](int code) {
    int e = errno;
    ssize_t ignored = ::write(errPipe, &e, sizeof e);
    (void)ignored;
    _exit(code);
  };
  if (o.newProcessGroup) setpgid(0, 0);
  // A parent that died before the prctl never sends the signal: check it is still ours.
  if (o.dieWithParent && (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)) _exit(127);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  signal(SIGPIPE, SIG_DFL);
  if (o.noCoreDumps) {
    struct rlimit rl = {0, 0};
    setrlimit(RLIMIT_CORE, &rl);
  }
  if (o.addressSpaceLimitBytes) {
    struct rlimit rl = {*o.addressSpaceLimitBytes, *o.addressSpaceLimitBytes};
    setrlimit(RLIMIT_AS, &rl);
  }
  if (o.noNetwork && ::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) die(126);
  // Raw system calls (this thread only): glibc's setxid broadcast is not for a child.
  if (o.gid && (syscall(SYS_setgroups, 0, nullptr) != 0 || syscall(SYS_setresgid, *o.gid, *o.gid, *o.gid) != 0))
    die(126);
  if (o.uid && syscall(SYS_setresuid, *o.uid, *o.uid, *o.uid) != 0) die(126);
  // A change of credentials clears the parent-death signal: set it again.
  if ((o.uid || o.gid) && o.dieWithParent &&
      (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent))
    _exit(127);
  // Move passed fds out of the way first (targets may collide with sources).
  int moved[64];
  size_t n = o.passFds.size() < 64 ? o.passFds.size() : 64;
  for (size_t i = 0; i < n; ++i) {
    moved[i] = fcntl(o.passFds[i].first, F_DUPFD_CLOEXEC, 100);
    if (moved[i] < 0) die(126);
  }
  int devnull = -1;
  if ((!o.pipeStdin && o.nullStdin)) devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (o.pipeStdin) dup2(in.r, 0);
  else if (devnull >= 0) dup2(devnull, 0);
  if (o.pipeStdout) dup2(out.w, 1);
  if (o.pipeStderr) dup2(err.w, 2);
  for (size_t i = 0; i < n; ++i) {
    if (dup2(moved[i], o.passFds[i].second) < 0) die(126);
  }
  if (!o.cwd.empty() && chdir(o.cwd.c_str()) != 0) die(126);
  // An executable opened beforehand runs without a path lookup (a uid we switched to
  // need not be able to reach it; the file's own execute bit still applies).
  if (o.executableFd >= 0) syscall(SYS_execveat, o.executableFd, "", argv, envp, AT_EMPTY_PATH);
  else execve(argv[0], argv, envp);
  die(127);
  _exit(127);  // not reached; die() exits
}

}  // namespace

Child& Child::operator=(Child&& o) noexcept {
  if (this != &o) {
    this->~Child();
    pid_ = std::exchange(o.pid_, -1);
    group_ = o.group_;
    reaped_ = o.reaped_;
    status_ = o.status_;
    in_ = std::exchange(o.in_, -1);
    out_ = std::exchange(o.out_, -1);
    err_ = std::exchange(o.err_, -1);
  }
  return *this;
}

Child::~Child() {
  if (pid_ > 0 && !reaped_) {
    kill(SIGKILL);
    wait();
  }
  closeFd(in_);
  closeFd(out_);
  closeFd(err_);
  pid_ = -1;
}

void Child::closeStdin() { closeFd(in_); }

bool Child::running() {
  if (pid_ <= 0 || reaped_) return false;
  int st;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    reaped_ = true;
    status_ = st;
    return false;
  }
  return r == 0;
}

void Child::kill(int sig) {
  if (pid_ <= 0 || reaped_) return;
  if (group_) ::kill(-pid_, sig);
  ::kill(pid_, sig);
}

std::optional<int> Child::wait(std::optional<std::chrono::milliseconds> timeout) {
  if (pid_ <= 0) return std::nullopt;
  if (reaped_) return status_;
  if (!timeout) {
    int st;
    while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    status_ = st;
    return st;
  }
  auto deadline = std::chrono::steady_clock::now() + *timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return status_;
}

void Child::terminate(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || reaped_) return;
  kill(SIGTERM);
  if (!wait(grace)) {
    kill(SIGKILL);
    wait();
  }
}

Result<Child> spawn(const SpawnOptions& o) {
  if (o.argv.empty()) return fail("subprocess.bad_argv", "empty argv");
  std::vector<char*> argv;
  for (auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (o.env) {
    for (auto& e : *o.env) envp.push_back(const_cast<char*>(e.c_str()));
  } else {
    for (char** e = environ; *e; ++e) envp.push_back(*e);
  }
  envp.push_back(nullptr);

  Pipe in, out, err, status;
  if ((o.pipeStdin && !in.open()) || (o.pipeStdout && !out.open()) ||
      (o.pipeStderr && !err.open()) || !status.open()) {
    int e = errno;
    in.close(), out.close(), err.close(), status.close();
    return fail("subprocess.pipe_failed", std::strerror(e));
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    in.close(), out.close(), err.close(), status.close();
    return fail("subprocess.fork_failed", std::strerror(e));
  }
  if (pid == 0) childExec(parent, o, in, out, err, argv.data(), envp.data(), status.w);

  Child child;
  child.pid_ = pid;
  child.group_ = o.newProcessGroup;
  if (o.newProcessGroup) setpgid(pid, pid);  // avoid racing the child's own setpgid
  closeFd(status.w);
  int childErrno = 0;
  ssize_t got;
  while ((got = ::read(status.r, &childErrno, sizeof childErrno)) < 0 && errno == EINTR) {
  }
  closeFd(status.r);
  closeFd(in.r);
  closeFd(out.w);
  closeFd(err.w);
  child.in_ = in.w;
  child.out_ = out.r;
  child.err_ = err.r;
  if (got > 0) {
    child.wait();
    return fail("subprocess.exec_failed", o.argv[0] + ": " + std::strerror(childErrno));
  }
  return child;
}

std::string selfDirectory() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  auto slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

}  // namespace clemmys
