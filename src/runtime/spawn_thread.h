// Forks the runtime's children (ActionLoop processes) from one long-lived thread.
//
// Why: spawn() sets PR_SET_PDEATHSIG so a child dies with the runtime, but Linux sends
// that signal when the *thread* that forked the child exits, not the process. The HTTP
// server runs each connection on a thread of its own, so a child forked while serving
// /init or /prestart would be SIGKILLed as soon as that connection closed (a client
// that does not keep its connection alive, or /prestart and /init sent on different
// connections). Forking here ties every child's life to the SpawnThread's, i.e. to
// the ActionProxy that owns it.
//
// Thread safety: spawn() may be called from any thread; calls are served one at a
// time (common/task_thread.h). The destructor joins the thread: children it forked
// then get their signal, so an owner destroys its children (or lets them go) first.
#pragma once

#include "common/error.h"
#include "common/subprocess.h"
#include "common/task_thread.h"

namespace clemmys::runtime {

class SpawnThread {
 public:
  // clemmys::spawn(options), run on the thread; blocks until it returned.
  // Error: "runtime.spawn_failed" once the owner is being destroyed.
  Result<Child> spawn(const SpawnOptions& options);

 private:
  TaskThread thread_;
};

}  // namespace clemmys::runtime
