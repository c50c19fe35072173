// The launched processes' seccomp policy: allow by default, deny (EPERM) the
// calls that let a process inspect or modify other processes or the kernel:
// ptrace, process_vm_readv/writev, kcmp, kexec_*, init/finit/delete_module,
// bpf, perf_event_open, userfaultfd, open_by_handle_at, keyctl/add_key/
// request_key, reboot, swapon/swapoff, iopl/ioperm, acct, mount-API calls.
// Foreign architectures are killed (libseccomp's default bad-arch action).
// Built once, in the daemon, as a raw BPF program, so the forked child only
// has to hand it to prctl (no allocation after fork). Thread-safe.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "common/error.h"

namespace clemmys::simtee {

// Error: simtee.seccomp_unavailable.
Result<std::vector<sock_filter>> buildSeccompProgram();

}  // namespace clemmys::simtee
