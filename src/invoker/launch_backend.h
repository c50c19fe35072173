// How a runtime process is started, signalled and reaped: directly as our child
// (plain mode) or through clemmys-simtee (secure mode: measured, sandboxed, able to
// attest). Instance sees only this interface, so the RSS watchdog, log capture and
// the pool work the same with either backend.
//
// Both backends hand back the read ends of the process's stdout/stderr pipes and
// put the listen socket at fd 3. Thread safety: a RuntimeProcess's kill() may be
// called from any thread; reap() once, from the owner's destructor.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"

namespace clemmys::invoker {

class RuntimeProcess {
 public:
  virtual ~RuntimeProcess() = default;
  // Host pid (for /proc-based RSS readings and logs).
  virtual pid_t pid() const = 0;
  // SIGKILL to the process and everything it started. Idempotent.
  virtual void kill() = 0;
  // Waits until the process has exited (after kill()).
  virtual void reap() = 0;
};

struct StartedProcess {
  std::unique_ptr<RuntimeProcess> process;
  int stdoutFd = -1;  // owned by the caller
  int stderrFd = -1;
};

class LaunchBackend {
 public:
  virtual ~LaunchBackend() = default;
  // argv[0] is the executable. listenFd is installed as fd 3 in the child; the
  // caller keeps (and closes) its own copy.
  virtual Result<StartedProcess> start(const std::vector<std::string>& argv,
                                       const std::vector<std::string>& env, int listenFd) = 0;
};

// Plain: fork/exec as a child in its own process group, killed with the invoker.
std::unique_ptr<LaunchBackend> makeDirectBackend();
// Secure: SimteeClient::launch on the daemon at `socketPath`, in the measured root
// `rootfs` (a manifest path; empty: the host's file system). The sandbox is the simtee
// default (measured: policies must pin the measurement of exactly this launch, see
// `clemmys-simtee measure`). Errors: simtee.*.
std::unique_ptr<LaunchBackend> makeSimteeBackend(std::string socketPath, std::string rootfs = "");

}  // namespace clemmys::invoker
