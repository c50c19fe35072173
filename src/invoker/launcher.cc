#include "invoker/launcher.h"

namespace clemmys::invoker {

Result<std::shared_ptr<Instance>> Launcher::launch() {
  Result<std::shared_ptr<Instance>> out = nullptr;
  bool ran = thread_.run([&] {
    auto inst = Instance::launch(options_);
    if (inst) out = std::shared_ptr<Instance>(std::move(*inst));
    else out = std::unexpected(inst.error());
  });
  if (!ran) return fail("invoker.stopping", "the invoker is shutting down");
  return out;
}

}  // namespace clemmys::invoker
