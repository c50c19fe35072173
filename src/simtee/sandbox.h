// Starting a measured program sandboxed (doc/simtee.md, "Sandbox"):
// namespaces (user, pid, mount, ipc, net — each as requested and as the kernel
// allows), a fresh /proc for a new pid namespace, all capabilities dropped,
// rlimits (CORE 0, NOFILE, optional AS), PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE 0
// (note: execve resets dumpable for ordinary binaries; ptrace is blocked by
// seccomp and by uid separation, see the doc), the seccomp policy, and exec of
// the exact bytes that were measured (a sealed memfd copy, via execveat).
// Requested isolation that cannot be applied fails the launch
// (simtee.sandbox_unavailable, simtee.launch_failed): no degraded launches. With a
// measured root (rootfs_verifier.h) the child builds its root from the plan and
// pivots into it; with a sandbox uid it then runs as that host uid.
//
// The child runs only async-signal-safe system calls between clone and exec
// (the daemon is multi-threaded). Thread-safe: each call is independent.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/task_thread.h"
#include "tee/simtee_client.h"

namespace clemmys::simtee {

struct NamespaceSupport {
  bool user = false, pid = false, mount = false, ipc = false, net = false;
};

// Forks probe children that each try one unshare(2). Call before starting threads.
NamespaceSupport probeNamespaces();

// A RootPlan with every path made absolute under the mount point, ready for the
// child (which only makes system calls on these strings).
struct PreparedRoot {
  struct Mount {
    std::string source, target;
    bool directory = false, readOnly = true;
    unsigned long flags = 0;
  };
  std::string rootDir;  // host mount point of the root tmpfs (an empty directory)
  std::vector<std::string> dirs;
  std::vector<Mount> binds;
  std::vector<std::pair<std::string, std::string>> links;  // {text, path}
  std::string proc, tmp, tmpOptions;
};
struct RootPlan;
PreparedRoot prepareRoot(const RootPlan& plan, const std::string& rootDir);

// Inside a user namespace with a sandbox uid, the process runs as this uid and gid.
inline constexpr uid_t kSandboxInnerId = 1;

struct SandboxedLaunch {
  int executableFd = -1;  // sealed memfd holding the measured bytes (not closed)
  std::vector<std::string> argv, env;
  std::string cwd;
  tee::SandboxOptions sandbox;
  std::vector<std::pair<int, int>> fds;  // daemon fd -> child fd (not closed)
  const std::vector<sock_filter>* seccompProgram = nullptr;  // required when sandbox.seccomp
  std::string privateTmpDir;  // mount point of the private tmpfs (sandbox.privateTmp, no root)
  const PreparedRoot* root = nullptr;  // measured root, or the host's file system
  uid_t sandboxUid = static_cast<uid_t>(-1);  // host uid to run as (-1: the daemon's)
};

struct Started {
  pid_t pid = -1;
};

// Returns once the child has exec'd (or failed to). Errors: simtee.launch_failed.
// The child gets PR_SET_PDEATHSIG(SIGKILL) tied to the calling thread: call it from a
// thread that lives as long as the daemon (LaunchThread), so launches die with it.
Result<Started> startSandboxed(const SandboxedLaunch& launch, const NamespaceSupport& support);

// Runs startSandboxed on one long-lived thread. Linux sends the parent-death signal
// when the *thread* that forked a child exits; connection threads come and go, the
// daemon's launch thread ends only with the daemon — killing the daemon (even with
// SIGKILL) then takes every process it launched along.
// Thread safety: start() may be called from any thread; calls are serialised.
class LaunchThread {
 public:
  // startSandboxed() on the thread (common/task_thread.h). Error: simtee.launch_failed
  // once the daemon is being destroyed.
  Result<Started> start(const SandboxedLaunch& launch, const NamespaceSupport& support);

 private:
  TaskThread thread_;
};

// Copies a file into a sealed, close-on-exec memfd. Errors: simtee.exec_unreadable.
Result<int> sealedCopy(const std::string& path, std::string& contents);
// The same from an open descriptor, which it closes (`path` names it in errors).
Result<int> sealedCopyOf(int src, const std::string& path, std::string& contents);

}  // namespace clemmys::simtee
