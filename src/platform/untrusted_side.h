// The untrusted side of the secure platform — controller and invoker — as a process
// of its own (doc/secure-mode.md, "Processes"): `clemmys up` starts
// `clemmys untrusted` with its configuration on stdin, and, when `up` runs as root,
// as an unprivileged uid distinct from the simtee's (root), the trusted processes'
// (root) and the runtimes' (sandbox uids). That uid can then neither ptrace nor read
// the memory or files of any trusted process: the simtee's state, the KMS store and
// the owner's files stay root's, and only <data>/controller is its own.
//
// The process prints one line, "clemmys-untrusted ready <port> <auth>", once it
// serves; it stops (runtimes killed through the simtee, activations recorded) on
// SIGTERM or when its parent dies.
// Thread safety: an UntrustedSide is owned by one thread.
#pragma once

#include <sys/types.h>

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "common/subprocess.h"
#include "controller/controller.h"
#include "invoker/pool.h"

namespace clemmys::platform {

// What crosses to the untrusted process (the fields of PoolOptions and
// ControllerOptions the secure platform sets).
struct UntrustedConfig {
  invoker::PoolOptions pool;
  controller::ControllerOptions controller;
};

std::string untrustedConfigJson(const UntrustedConfig& config);
// Error: platform.bad_untrusted_config.
Result<UntrustedConfig> parseUntrustedConfig(std::string_view json);

class UntrustedSide {
 public:
  // Spawns `clemmysBinary untrusted` as `runAs` (nullopt: our own uid) after making
  // <dataDir>/controller its own, and waits for its ready line (30 s).
  // Errors: platform.untrusted_failed (naming the uid when it cannot run or reach
  // its data), platform.not_ready.
  static Result<std::unique_ptr<UntrustedSide>> start(const std::string& clemmysBinary,
                                                       const UntrustedConfig& config,
                                                       std::optional<uid_t> runAs);
  ~UntrustedSide() { stop(); }

  uint16_t port() const { return port_; }
  const std::string& auth() const { return auth_; }
  pid_t pid() const { return child_.pid(); }
  // Whether the process still runs (reaps it when it has ended).
  bool running() { return child_.pid() > 0 && child_.running(); }
  // SIGTERM, then SIGKILL after 20 s. Idempotent.
  void stop();

 private:
  UntrustedSide() = default;
  Child child_;
  uint16_t port_ = 0;
  std::string auth_;
};

// `clemmys untrusted`: reads an UntrustedConfig from stdin, runs the invoker's pool
// and the controller until SIGTERM/SIGINT. Exit 0 after a clean stop, 1 on errors.
// `clemmys untrusted [--config FILE] [--auth-file FILE]`: the config from FILE or
// stdin; --auth-file receives the controller's credential once it serves (for a
// gateway run on its own, doc/formats/service-config.md).
int untrustedCommand(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace clemmys::platform
