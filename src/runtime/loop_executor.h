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
//
// Pre-started children (POST /prestart, doc/formats/runtime-protocol.md): a launcher
// started with `--prestart` boots its interpreter, writes {"ready":true} on fd 3, then
// waits for ONE start line on stdin (loop_action.h, startLine) that tells it what its
// command line and environment would have told a fresh launcher; from there on it is
// the same handshake and line protocol as above.
// REQUIRES: SIGPIPE is ignored in the process (writes to a dead child fail with EPIPE).
// Thread safety: none (see Executor).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "runtime/activation.h"
#include "runtime/executor.h"
#include "runtime/spawn_thread.h"

namespace clemmys::runtime {

struct LoopSpec {
  std::vector<std::string> argv;  // argv[0] is a path
  std::string cwd;
  EnvVars extraEnv;               // added to (and overriding) the runtime's environment
  bool expectAck = false;
  bool noNetwork = false;         // SpawnOptions::noNetwork (secure mode: functions get no network)
  std::chrono::milliseconds startTimeout{60000};
};

// Forks on `spawner` (see spawn_thread.h for why).
// Errors: "runtime.spawn_failed", "runtime.init_failed" (message from the child, or
// "command exited"), "runtime.timeout".
Result<std::unique_ptr<Executor>> startLoopExecutor(const LoopSpec& spec, const Clock& clock,
                                                    SpawnThread& spawner);

// A launcher started before its code, waiting for its start line (see above).
class WaitingLoop {
 public:
  virtual ~WaitingLoop() = default;  // kills the child if it was never started
  // Not exited yet (non-blocking).
  virtual bool alive() = 0;
  // Waits (up to `readyTimeout`) for the child's ready line, sends `startLine` (one
  // JSON line, no newline) and waits for the handshake (up to `startTimeout`).
  // Errors: "runtime.prestart_lost" when the child exited or never became ready: it
  // was sent nothing and is gone, start a fresh child instead; otherwise as
  // startLoopExecutor. Call at most once.
  virtual Result<std::unique_ptr<Executor>> start(std::string_view startLine,
                                                  std::chrono::milliseconds readyTimeout,
                                                  std::chrono::milliseconds startTimeout) = 0;
};

// Spawns `spec.argv` (a launcher command ending in --prestart) without waiting for it.
// Error: "runtime.spawn_failed".
Result<std::unique_ptr<WaitingLoop>> spawnWaitingLoop(const LoopSpec& spec, const Clock& clock,
                                                      SpawnThread& spawner);

}  // namespace clemmys::runtime
