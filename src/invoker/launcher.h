// Launches runtime instances from one long-lived thread.
//
// Why a thread of its own: spawn() sets PR_SET_PDEATHSIG so runtimes die with the
// invoker, but Linux delivers that signal when the *thread* that forked the child
// exits, not the process. run() is called from the controller's connection threads,
// which come and go; a runtime forked there would be SIGKILLed when that connection
// closed. Forking from this thread ties every runtime's life to the pool's.
//
// Thread safety: launch() may be called from any thread; it blocks until the launch
// finished. After stop(), launch() fails with "invoker.stopping".
#pragma once

#include <memory>

#include "common/error.h"
#include "common/task_thread.h"
#include "invoker/instance.h"

namespace clemmys::invoker {

class Launcher {
 public:
  explicit Launcher(LaunchOptions options) : options_(std::move(options)) {}
  ~Launcher() { stop(); }

  Result<std::shared_ptr<Instance>> launch();
  // Fails queued launches, joins the thread. Idempotent.
  void stop() { thread_.stop(); }

 private:
  const LaunchOptions options_;
  TaskThread thread_;
};

}  // namespace clemmys::invoker
