// Daemon: the clemmys-simtee service (doc/formats/simtee-protocol.md). Accepts
// connections on a Unix socket, identifies each peer by SO_PEERCRED, launches
// measured processes, and serves quotes, sealing keys and counters only to
// live processes it launched. One thread per connection; a reaper thread
// records exit statuses. The process table and counter store are guarded by
// mutexes; the Installation is immutable.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "crypto/digest.h"
#include "simtee/executable_cache.h"
#include "simtee/installation.h"
#include "simtee/platform_state.h"
#include "simtee/rootfs_verifier.h"
#include "simtee/sandbox.h"

namespace boost::json {
class object;
}

namespace clemmys::simtee {

struct DaemonOptions {
  std::string socketPath;
  std::string stateDir;
  // Host uids for launches with a measured root, one per live launch (used only when
  // the daemon runs as root; doc/simtee.md).
  uid_t sandboxUidFirst = 2000000000;
  uint32_t sandboxUidCount = 65536;
};

class Daemon {
 public:
  // Loads or creates the installation, probes namespaces, builds the seccomp
  // program, binds the socket (mode 0666: any local user may launch; only
  // launched processes get quotes). Call before any other thread exists.
  static Result<std::unique_ptr<Daemon>> create(const DaemonOptions& options, const Clock& clock);
  ~Daemon();

  // Serves until stop() is called (from a signal-watching thread).
  void run();
  void stop();

  const NamespaceSupport& namespaces() const { return namespaces_; }

 private:
  struct Process {
    crypto::Sha256Digest measurement;
    uid_t launcherUid;
    bool running = true;
    int waitStatus = 0;
    uid_t sandboxUid = static_cast<uid_t>(-1);  // returned to the pool once reaped
  };
  struct Peer {
    pid_t pid;
    uid_t uid;
  };

  Daemon() = default;
  void serveConnection(int fd);
  std::string handle(const std::string& request, std::vector<int>& fds, const Peer& peer);
  void reapLoop();
  Result<crypto::Sha256Digest> launchedCaller(const Peer& peer);

  // Request handlers (request_handlers.cc): fill `out` or return an error.
  Status onLaunch(const boost::json::object& req, std::vector<int>& fds, const Peer& peer, boost::json::object& out);
  Status onSignal(const boost::json::object& req, const Peer& peer, boost::json::object& out);
  Status onExitStatus(const boost::json::object& req, const Peer& peer, boost::json::object& out);
  Status onQuote(const boost::json::object& req, const Peer& peer, boost::json::object& out);
  Status onSealingKey(const boost::json::object& req, const Peer& peer, boost::json::object& out);
  Status onCounter(const boost::json::object& req, const Peer& peer, bool increment, boost::json::object& out);
  Result<Process*> ownLaunch(const boost::json::object& req, const Peer& peer);  // REQUIRES: mu_ held
  void markExited(Process& p, int status);  // REQUIRES: mu_ held
  Result<uid_t> takeSandboxUid();            // REQUIRES: mu_ held
  // Whether launches with a measured root get their own host uid (the daemon is root).
  bool sandboxUids() const { return ::geteuid() == 0; }

  DaemonOptions options_;
  std::optional<Installation> installation_;
  std::unique_ptr<CounterStore> counters_;
  NamespaceSupport namespaces_;
  std::vector<sock_filter> seccomp_;
  int listenFd_ = -1;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::map<pid_t, Process> processes_;
  std::thread reaper_;
  ExecutableCache executables_;  // sealed copies + measurement prefixes, by file identity
  RootfsVerifier rootfs_{::geteuid()};  // root manifests and their files' digests
  std::set<uid_t> usedUids_;  // sandbox uids of live launches
  LaunchThread launcher_;  // forks every launch, so launches die with the daemon
};

}  // namespace clemmys::simtee
