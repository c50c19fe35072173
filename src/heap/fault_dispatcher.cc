#include "heap/fault_dispatcher.h"

#include <signal.h>
#include <ucontext.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

namespace clemmys::heap {
namespace {

// Fixed size: the handler must not allocate, and a runtime has one heap.
constexpr size_t kMaxTargets = 64;

struct Dispatcher {
  std::mutex mutex;  // registration only; never taken in the handler
  bool installed = false;
  struct sigaction previous {};
  std::array<std::atomic<FaultTarget*>, kMaxTargets> targets{};
};

Dispatcher& dispatcher() {
  // Function-local and never destroyed: a fault during static destruction must still
  // find a valid table.
  static Dispatcher* instance = new Dispatcher();
  return *instance;
}

bool isInstructionFetch(void* context) {
#if defined(__x86_64__)
  // Page-fault error code bit 4: the access was an instruction fetch. The heap is never
  // executable, so such a fault is not a commit request.
  auto* uc = static_cast<ucontext_t*>(context);
  return context != nullptr && (uc->uc_mcontext.gregs[REG_ERR] & 0x10) != 0;
#else
  (void)context;
  return false;
#endif
}

void passOn(int signal, siginfo_t* info, void* context) {
  const struct sigaction& previous = dispatcher().previous;
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(signal, info, context);
    return;
  }
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
    previous.sa_handler(signal);
    return;
  }
  // Default disposition (an ignored SIGSEGV from a real fault would loop forever, so it
  // is treated as default, as the kernel does for a forced fault). Returning re-executes
  // the faulting instruction, which now kills the process with SIGSEGV; a signal that
  // was sent, not caused, is raised again.
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(signal, &fallback, nullptr);
  if (info == nullptr || info->si_code <= 0) raise(signal);
}

void onSegv(int signal, siginfo_t* info, void* context) {
  const int savedErrno = errno;
  // si_code > 0: the kernel reports a real fault (not kill()/sigqueue()).
  if (info != nullptr && info->si_code > 0 && !isInstructionFetch(context)) {
    for (auto& slot : dispatcher().targets) {
      FaultTarget* target = slot.load(std::memory_order_acquire);
      if (target != nullptr && target->onFault(info->si_addr)) {
        errno = savedErrno;
        return;
      }
    }
  }
  errno = savedErrno;
  passOn(signal, info, context);
}

}  // namespace

Status registerFaultTarget(FaultTarget* target) {
  Dispatcher& d = dispatcher();
  std::lock_guard lock(d.mutex);
  // Reinstall when someone replaced us since (their handler becomes the one faults
  // outside our ranges are passed to).
  struct sigaction current {};
  sigaction(SIGSEGV, nullptr, &current);
  const bool ours = (current.sa_flags & SA_SIGINFO) && current.sa_sigaction == onSegv;
  if (!d.installed || !ours) {
    struct sigaction action {};
    action.sa_sigaction = onSegv;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    // Record the handler to pass foreign faults to before any can reach us.
    d.previous = current;
    if (sigaction(SIGSEGV, &action, nullptr) != 0) {
      return fail("heap.sigaction_failed", std::string("SIGSEGV: ") + std::strerror(errno));
    }
    d.installed = true;
  }
  for (auto& slot : d.targets) {
    if (slot.load(std::memory_order_relaxed) == nullptr) {
      slot.store(target, std::memory_order_release);
      return {};
    }
  }
  return fail("heap.too_many_heaps",
              "at most " + std::to_string(kMaxTargets) + " lazy heaps per process");
}

void unregisterFaultTarget(FaultTarget* target) {
  Dispatcher& d = dispatcher();
  std::lock_guard lock(d.mutex);
  for (auto& slot : d.targets) {
    if (slot.load(std::memory_order_relaxed) == target) {
      slot.store(nullptr, std::memory_order_release);
    }
  }
}

}  // namespace clemmys::heap
