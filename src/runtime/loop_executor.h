// Runs actions as ActionLoop child processes (python:3 and nodejs:20 through the
// launchers in src/runtime/launchers/, blackbox executables directly).
//
// Line protocol (the OpenWhisk ActionLoop contract, see doc/formats/runtime-protocol.md):
// the child's stdin receives each /run body as one JSON line; the child answers with
// one JSON line on fd 3 (a pipe); its stdout/stderr are the runtime's, so the
// function's logs land in the runtime's logs before the sentinel. With `expectAck` the
// child first writes {"ok":true} (or {"error":"..."} and exits) once its code is
// loaded; without it, /init only checks the process did not exit at once.
// A /run is bounded by the request's __OW_DEADLINE: past it the child is killed.
// REQUIRES: SIGPIPE is ignored in the process (writes to a dead child fail with EPIPE).
// Thread safety: none (see Executor).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "runtime/activation.h"
#include "runtime/executor.h"

namespace clemmys::runtime {

struct LoopSpec {
  std::vector<std::string> argv;  // argv[0] is a path
  std::string cwd;
  EnvVars extraEnv;               // added to (and overriding) the runtime's environment
  bool expectAck = false;
  std::chrono::milliseconds startTimeout{60000};
};

// Errors: "runtime.spawn_failed", "runtime.init_failed" (message from the child, or
// "command exited"), "runtime.timeout".
Result<std::unique_ptr<Executor>> startLoopExecutor(const LoopSpec& spec, const Clock& clock);

}  // namespace clemmys::runtime
