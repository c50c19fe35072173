// Runs `cpp` actions: an ELF shared library implementing include/clemmys/function.h,
// loaded into the runtime's own process. This is the fast path: a warm activation is
// one call through a function pointer, with no process switch.
//
// Loading: the library bytes go to a private file (mkstemp in $TMPDIR, mode 0700),
// are dlopen()ed with RTLD_NOW|RTLD_LOCAL, and the file is unlinked at once.
// The function runs on the calling thread and has no deadline inside the runtime: a
// function that never returns is stopped by whoever owns the runtime process.
// Thread safety: none (see Executor).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "heap/heap_settings.h"
#include "runtime/activation.h"
#include "runtime/executor.h"

namespace clemmys::runtime {

class CppExecutor;

// `mainName` is the action's `main`; "main" or empty selects "clemmys_main".
// `heapSettings` override the runtime's heap defaults (runtime/heap_options.h).
// Errors: "runtime.not_elf", "runtime.dlopen_failed", "runtime.entry_not_found",
// "runtime.write_failed", "runtime.bad_heap", "heap.*" (the heap could not be made).
Result<std::unique_ptr<Executor>> loadCppExecutor(std::string_view library,
                                                  std::string_view mainName,
                                                  const std::string& tempDir,
                                                  const heap::HeapSettings& heapSettings = {});

// The symbol a cpp action's `main` names.
std::string cppEntrySymbol(std::string_view mainName);

}  // namespace clemmys::runtime
