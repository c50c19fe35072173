// Starting and stopping child processes (fork + exec). Used by the invoker to launch
// runtimes and by the runtime to launch ActionLoop executables.
// Thread safety: spawn() may be called from any thread; Child is not shared.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace clemmys {

struct SpawnOptions {
  std::vector<std::string> argv;           // argv[0] is the executable path
  std::optional<std::vector<std::string>> env;  // "K=V"; nullopt inherits ours
  std::string cwd;                         // empty: inherit
  bool pipeStdin = false, pipeStdout = false, pipeStderr = false;
  bool nullStdin = true;                   // when not piped: /dev/null (else inherit)
  // Parent fds to install in the child at the given child fd numbers, e.g. {listenFd, 3}.
  std::vector<std::pair<int, int>> passFds;
  bool newProcessGroup = true;             // so kill() reaches grandchildren too
  bool dieWithParent = true;               // PR_SET_PDEATHSIG(SIGKILL)
  std::optional<uint64_t> addressSpaceLimitBytes;  // RLIMIT_AS
  bool noCoreDumps = true;                 // RLIMIT_CORE = 0
  // A user and network namespace of its own (only a loopback interface, down): the
  // child reaches no network, also not the host's loopback. Refused unshare: the
  // spawn fails.
  bool noNetwork = false;
  // Run as this uid and gid, with no supplementary groups (needs CAP_SETUID and
  // CAP_SETGID, i.e. root). Failure to switch fails the spawn.
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  // >= 0: exec this open file (execveat, AT_EMPTY_PATH) instead of argv[0]'s path;
  // argv[0] is still what the program sees. The caller keeps and closes it.
  int executableFd = -1;
};

class Child {
 public:
  Child() = default;
  Child(Child&& o) noexcept { *this = std::move(o); }
  Child& operator=(Child&& o) noexcept;
  ~Child();  // kills and reaps the child if still running; closes pipes

  pid_t pid() const { return pid_; }
  int stdinFd() const { return in_; }
  int stdoutFd() const { return out_; }
  int stderrFd() const { return err_; }
  // Transfers ownership of a pipe end to the caller (returns -1 if none).
  int releaseStdin() { return std::exchange(in_, -1); }
  int releaseStdout() { return std::exchange(out_, -1); }
  int releaseStderr() { return std::exchange(err_, -1); }
  void closeStdin();

  bool running();                 // non-blocking check; reaps if exited
  void kill(int sig = 9);         // signals the process group (or the pid)
  // Waits for exit; returns the raw wait status, or nullopt on timeout.
  std::optional<int> wait(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // SIGTERM, wait up to grace, then SIGKILL and reap.
  void terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

 private:
  friend Result<Child> spawn(const SpawnOptions&);
  pid_t pid_ = -1;
  bool group_ = false;
  bool reaped_ = false;
  int status_ = 0;
  int in_ = -1, out_ = -1, err_ = -1;
};

Result<Child> spawn(const SpawnOptions& options);

// Path of the running executable's directory (for finding sibling binaries).
std::string selfDirectory();

}  // namespace clemmys
