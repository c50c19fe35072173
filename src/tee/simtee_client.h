// SimteeClient: the client side of the clemmys-simtee daemon's Unix-socket
// protocol (doc/formats/simtee-protocol.md). One connection per call, so a
// client object is cheap and may be used from several threads.
//
// Two kinds of caller:
//  * a launcher (the invoker, tests): launch / signal / exitStatus, for
//    processes it launched itself (same peer uid; signal and exitStatus refuse
//    other launchers' processes with simtee.not_your_process);
//  * a launched process (a runtime, the KMS): quote, sealingKey, counters,
//    self. The daemon identifies it by the socket peer's pid (SO_PEERCRED); a
//    process the simtee did not launch gets simtee.caller_not_launched.
// Errors from the daemon keep their names (simtee.*); transport failures are
// simtee.unavailable (cannot connect) and simtee.protocol (bad frame).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tee/attester.h"

namespace clemmys::tee {

// Which isolation the daemon should apply. Isolation that cannot be applied fails
// the launch (simtee.sandbox_unavailable): no degraded launches.
struct SandboxOptions {
  bool userNamespace = true, pidNamespace = true, mountNamespace = true, ipcNamespace = true;
  bool netNamespace = false;  // false: the process shares the host network (loopback)
  bool seccomp = true;
  // A fresh tmpfs, mounted inside the process's own mount namespace and given to it
  // as TMPDIR: its temporary files (code, configured files) never reach the host's
  // disk or view.
  bool privateTmp = true;
  uint64_t memoryLimitBytes = 0;  // RLIMIT_AS; 0 = unlimited
  uint64_t maxOpenFiles = 1024;   // RLIMIT_NOFILE
};

struct LaunchRequest {
  std::vector<std::string> argv;  // argv[0]: executable path (measured)
  std::vector<std::string> env;   // "K=V", allow-listed names only (doc/simtee.md); not measured
  // Absolute path of a root file-system manifest (doc/formats/rootfs-manifest.md):
  // the process sees only its files, read-only; its digest is measured. Empty: the
  // host's file system.
  std::string rootfs;
  std::string cwd;                // empty: "/"
  SandboxOptions sandbox;
  // caller fd -> child fd, sent with SCM_RIGHTS (e.g. {listenFd, 3}, {pipeW, 1}).
  std::vector<std::pair<int, int>> fds;
};

struct Launched {
  pid_t pid = -1;              // in the caller's (the daemon's) pid namespace
  std::string measurementHex;  // 64 hex chars: MRENCLAVE of the quotes it gets
  uid_t uid = static_cast<uid_t>(-1);  // the host uid it runs as
};

// What the daemon knows about the calling (launched) process.
struct SelfInfo {
  std::string measurementHex;
  std::string mrSignerHex;
};

class SimteeClient : public PlatformServices {
 public:
  explicit SimteeClient(std::string socketPath);

  // Measured, sandboxed start. Errors: simtee.bad_request, simtee.exec_unreadable,
  // simtee.env_refused, simtee.sandbox_unavailable, simtee.rootfs_*, simtee.no_sandbox_uid,
  // simtee.launch_failed.
  Result<Launched> launch(const LaunchRequest& request);
  // Only processes this caller's uid launched.
  Status signal(pid_t pid, int sig);
  // Raw wait status once exited (WIFEXITED etc. apply); nullopt while running.
  Result<std::optional<int>> exitStatus(pid_t pid);
  // SGX DCAP v3 quote for the caller; only for a live launched caller.
  Result<std::string> quote(const ReportData& reportData);
  Result<SelfInfo> self();
  // The installation's sim root certificate (public; pin it in verifiers).
  Result<std::string> rootCertificatePem();

  Result<crypto::SecretBytes> sealingKey(std::string_view label) override;
  Result<uint64_t> counterRead(std::string_view name) override;
  Result<uint64_t> counterIncrement(std::string_view name) override;

  const std::string& socketPath() const { return socketPath_; }

 private:
  std::string socketPath_;
};

// Attester over SimteeClient::quote. type() is "sim".
class SimAttester final : public Attester {
 public:
  explicit SimAttester(std::string socketPath) : client_(std::move(socketPath)) {}
  std::string type() const override { return "sim"; }
  Result<std::string> evidence(const ReportData& reportData) override { return client_.quote(reportData); }

 private:
  SimteeClient client_;
};

}  // namespace clemmys::tee
