#include "runtime/cpp_executor.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "clemmys/function.h"
#include "heap/c_heap.h"
#include "runtime/code_files.h"
#include "runtime/heap_options.h"
#include "runtime/kind.h"

namespace clemmys::runtime {
namespace {

// Receives ctx->set_result() calls for one activation.
struct ResultSlot {
  std::string json;
  bool set = false;
};

extern "C" void clemmysSetResult(void* host, const char* json, size_t len) {
  auto* slot = static_cast<ResultSlot*>(host);
  if (!slot) return;
  slot->json.assign(json ? json : "", json ? len : 0);
  slot->set = true;
}

class CppExecutorImpl final : public Executor {
 public:
  CppExecutorImpl(void* handle, clemmys_entry_fn entry, std::unique_ptr<heap::Heap> heap)
      : handle_(handle), entry_(entry), heap_(std::move(heap)) {
    if (heap_) table_ = heap::cHeapFor(*heap_);
  }
  // The library stays loaded until the process exits: functions may leave threads or
  // atexit handlers behind, and unloading their code under them would crash.
  ~CppExecutorImpl() override = default;

  Result<std::string> run(const RunRequest& request) override {
    env_.apply(request.env());
    std::string params = boost::json::serialize(request.value());
    auto str = [&](const char* name) -> const char* {
      const std::string* v = request.find(name);
      return v ? v->c_str() : "";
    };
    const std::string* apiKey = request.find("__OW_API_KEY");
    clemmys_context ctx{};
    ctx.abi_version = CLEMMYS_ABI_VERSION;
    ctx.activation_id = str("__OW_ACTIVATION_ID");
    ctx.action_name = str("__OW_ACTION_NAME");
    ctx.action_version = str("__OW_ACTION_VERSION");
    ctx.namespace_name = str("__OW_NAMESPACE");
    ctx.transaction_id = str("__OW_TRANSACTION_ID");
    ctx.deadline = str("__OW_DEADLINE");
    ctx.api_key = apiKey ? apiKey->c_str() : nullptr;
    ResultSlot slot;
    ctx.set_result = &clemmysSetResult;
    ctx.host = &slot;
    ctx.heap = heap_ ? &table_ : nullptr;

    // Everything the activation allocated from the heap is released (and zeroed)
    // when it ends, on every path.
    if (heap_) heap_->beginInvocation();
    int rc = entry_(params.c_str(), params.size(), &ctx);
    if (heap_) heap_->endInvocation();
    std::fflush(nullptr);  // the function's stdio output precedes the sentinel
    if (rc != 0) {
      return fail("runtime.function_failed",
                  "The action returned the error status " + std::to_string(rc) + ".");
    }
    if (!slot.set) return fail("runtime.no_result", "The action did not set a result.");
    return std::move(slot.json);
  }

 private:
  void* handle_;
  clemmys_entry_fn entry_;
  std::unique_ptr<heap::Heap> heap_;  // null: the function allocates with malloc only
  clemmys_heap table_{};
  ProcessEnv env_;
};

// Runtime defaults (our environment, which a cpp action's init env has already
// joined) overridden by the action's settings; null: the function gets no heap.
Result<std::unique_ptr<heap::Heap>> createHeap(const heap::HeapSettings& settings) {
  auto defaults = heapDefaultsFromEnv([](const char* name) { return std::getenv(name); });
  if (!defaults) return std::unexpected(defaults.error());
  auto options = resolveHeapOptions(*defaults, settings);
  if (!options) return std::unexpected(options.error());
  if (!*options) return std::unique_ptr<heap::Heap>();
  return heap::Heap::create(**options);
}

}  // namespace

std::string cppEntrySymbol(std::string_view mainName) {
  if (mainName.empty() || mainName == "main") return "clemmys_main";
  return std::string(mainName);
}

Result<std::unique_ptr<Executor>> loadCppExecutor(std::string_view library,
                                                  std::string_view mainName,
                                                  const std::string& tempDir,
                                                  const heap::HeapSettings& heapSettings) {
  if (detectFormat(library) != CodeFormat::elf) {
    return fail("runtime.not_elf", "cpp code must be the base64 of an ELF shared library");
  }
  std::string pattern = (tempDir.empty() ? tempRoot() : tempDir) + "/clemmys-lib-XXXXXX";
  std::vector<char> path(pattern.begin(), pattern.end());
  path.push_back('\0');
  int fd = ::mkstemp(path.data());
  if (fd < 0) return fail("runtime.write_failed", pattern + ": " + std::strerror(errno));
  ::close(fd);
  std::string file(path.data());
  if (auto st = writeFile(file, library, 0700); !st) {
    ::unlink(file.c_str());
    return std::unexpected(st.error());
  }
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  ::unlink(file.c_str());
  if (!handle) {
    const char* why = ::dlerror();
    return fail("runtime.dlopen_failed", why ? why : "dlopen failed");
  }
  std::string symbol = cppEntrySymbol(mainName);
  ::dlerror();
  void* entry = ::dlsym(handle, symbol.c_str());
  if (!entry) {
    ::dlclose(handle);
    return fail("runtime.entry_not_found",
                "The function's entry point '" + symbol + "' was not found in the library.");
  }
  // The heap exists before any function code runs (eager commits all of it here).
  auto heap = createHeap(heapSettings);
  if (!heap) {
    ::dlclose(handle);
    return std::unexpected(heap.error());
  }
  return std::make_unique<CppExecutorImpl>(handle, reinterpret_cast<clemmys_entry_fn>(entry),
                                           std::move(*heap));
}

}  // namespace clemmys::runtime
