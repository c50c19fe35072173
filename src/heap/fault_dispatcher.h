// The SIGSEGV dispatcher of lazily committed heaps: the simulation of the SGXv2 page
// fault that EDMM answers with EAUG + EACCEPT. A FaultTarget (a heap) registers its
// range; a fault inside a registered range goes to it, and it commits the page(s).
// Every other SIGSEGV — outside all ranges, an instruction fetch, a target that
// declines, a signal sent with kill() — goes to the disposition that was in place when
// the dispatcher was installed: a SA_SIGINFO or plain handler is called, and the
// default (or ignore) disposition is restored so the process dies with SIGSEGV as it
// would have without us. Faults are never swallowed.
//
// Signal dispositions are process-wide, so the dispatcher's table is the one piece of
// process-global state of the heap module (there is no way to hand a signal handler a
// context). It is installed on the first registration and stays installed; a
// registration that finds another SIGSEGV handler installed over it installs itself
// again, passing foreign faults on to that handler.
//
// Thread safety: registerTarget/unregisterTarget may be called from any thread; the
// handler reads the table lock-free. A target must stay alive until unregisterTarget
// returns, and no fault for it may be in flight then (the runtime runs one function at
// a time, and destroys a heap only between invocations).
// Limits: no sigaltstack is set up, so a stack overflow still dies (correctly) but is
// reported without our help; a handler installed by others after the
// last registration replaces ours.
#pragma once

#include "common/error.h"

namespace clemmys::heap {

class FaultTarget {
 public:
  virtual ~FaultTarget() = default;
  // Called from the signal handler with the faulting address: commit and return true
  // when the address is one's own, false to pass the fault on. Must be
  // async-signal-safe (no locks, no allocation).
  virtual bool onFault(void* address) noexcept = 0;
};

// Errors: "heap.too_many_heaps" (the fixed table is full), "heap.sigaction_failed".
Status registerFaultTarget(FaultTarget* target);
void unregisterFaultTarget(FaultTarget* target);

}  // namespace clemmys::heap
