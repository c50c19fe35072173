// The environment of a launched process (doc/simtee.md, "Measured launch"): the
// request's variables, each on the allow-list with a harmless value, plus the ones
// the daemon sets itself. Anything else — a loader, interpreter or library hook such
// as LD_PRELOAD, PYTHONSTARTUP or NODE_OPTIONS — refuses the launch: a trusted
// process never starts with an environment the untrusted side chose to steer it.
// Pure function; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace clemmys::simtee {

struct DaemonEnv {
  std::string socketPath;  // CLEMMYS_SIMTEE_SOCKET, as the process can reach it
  std::string tmpDir;      // TMPDIR and CLEMMYS_PRIVATE_TMP; empty: none
};

// Error: simtee.env_refused, naming the variable (not its value).
Result<std::vector<std::string>> launchEnvironment(const std::vector<std::string>& requested,
                                                   const DaemonEnv& daemon);

}  // namespace clemmys::simtee
