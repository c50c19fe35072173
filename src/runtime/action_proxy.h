// The OpenWhisk action-proxy protocol: POST /init and POST /run (see
// doc/formats/runtime-protocol.md). One ActionProxy holds at most one initialised
// action for the life of the process; a second /init is refused.
// After every /run and every failed /init it writes the sentinel line
// XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX to both stdout and stderr, after flushing what
// the function wrote, so the invoker can cut the logs per activation.
// POST /prestart {"kind":K} (our extension) starts a python:3 or nodejs:20 launcher
// before /init, so that /init of the same kind skips the interpreter's start-up. A
// hint only: /init behaves exactly as without it (a pre-started child that cannot
// serve it is killed and a fresh one started), only faster.
// Thread safety: handle() may be called from many connection threads; /init, /run and
// /prestart are serialised by one mutex (action concurrency 1).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "heap/heap_settings.h"
#include "http/message.h"
#include "runtime/activation.h"
#include "runtime/code_files.h"
#include "runtime/executor.h"
#include "runtime/kind.h"
#include "runtime/loop_action.h"
#include "runtime/loop_executor.h"
#include "runtime/spawn_thread.h"

namespace clemmys::runtime {

inline constexpr std::string_view kSentinel = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

struct ProxyOptions {
  Interpreters tools;  // launcher scripts and interpreter paths
  std::string defaultKind;  // --kind; empty: infer (see kind.h)
  std::string tempRoot;     // parent of private code directories; empty: $TMPDIR or /tmp
  int stdoutFd = 1;         // where the sentinels go
  int stderrFd = 2;
  // The line written after each activation. Empty in secure mode: the log sealer
  // writes the sentinels once it has sealed the activation's output (log_sealer.h).
  std::string sentinel = std::string(kSentinel);
};

// What /init needs, once parsed (plain mode) or opened from a CODE envelope (secure).
struct InitSpec {
  std::string code;
  std::string main;
  std::optional<bool> binary;
  std::string kind;                   // empty: --kind, then inference
  EnvVars env;                        // the function's extra environment
  std::vector<std::string> extraArgv; // appended to an ActionLoop command line
  heap::HeapSettings heap;            // cpp only: overrides of the runtime's heap defaults
};

class ActionProxy {
 public:
  ActionProxy(ProxyOptions options, const Clock& clock);
  ~ActionProxy();

  // Routes POST /init, /run and /prestart; anything else is 404/405 with a JSON error.
  http::Response handle(const http::Request& request);
  // 200 {"ok":true}; 400 (not JSON, a kind that cannot be pre-started); 409 after
  // /init; 502 when the launcher cannot be started. Idempotent for a live child of
  // the same kind; another kind replaces it.
  http::Response prestart(std::string_view body);
  http::Response init(std::string_view body);
  http::Response init(const InitSpec& spec);
  http::Response run(std::string_view body);
  // Writes the end-of-activation lines for a request that never reached the function
  // (secure mode's refusals), so every /run and failed /init still ends the logs.
  void endActivation();

 private:
  http::Response initLocked(std::string_view body);
  http::Response initSpecLocked(const InitSpec& spec);
  http::Response runLocked(std::string_view body);
  http::Response prestartLocked(std::string_view body);
  void writeSentinels();

  // A launcher waiting for its code, in the private directory it will run in.
  struct Prestarted {
    Kind kind = Kind::python;
    TempDir dir;                        // before loop: outlives the child
    std::unique_ptr<WaitingLoop> loop;
  };

  ProxyOptions options_;
  const Clock& clock_;
  std::mutex mu_;
  SpawnThread spawner_;                 // first: outlives every child it forked
  TempDir codeDir_;                     // declared before executor_: outlives the child
  std::unique_ptr<Executor> executor_;  // set once by a successful /init
  std::unique_ptr<Prestarted> prestarted_;  // only before /init
};

}  // namespace clemmys::runtime
