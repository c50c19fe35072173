#include "runtime/spawn_thread.h"

namespace clemmys::runtime {

Result<Child> SpawnThread::spawn(const SpawnOptions& options) {
  Result<Child> out = fail("runtime.spawn_failed", "the runtime is stopping");
  (void)thread_.run([&] { out = clemmys::spawn(options); });
  return out;
}

}  // namespace clemmys::runtime
