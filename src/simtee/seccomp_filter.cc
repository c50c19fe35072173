#include "simtee/seccomp_filter.h"

#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

namespace clemmys::simtee {

Result<std::vector<sock_filter>> buildSeccompProgram() {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return fail("simtee.seccomp_unavailable", "seccomp_init failed");
  const char* denied[] = {"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "kexec_load",
                          "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf",
                          "perf_event_open", "userfaultfd", "open_by_handle_at", "name_to_handle_at",
                          "keyctl", "add_key", "request_key", "reboot", "swapon", "swapoff", "iopl", "ioperm",
                          "acct", "mount", "umount2", "pivot_root", "fsopen", "fsmount", "move_mount",
                          "open_tree", "setns", "lookup_dcookie", "quotactl", "vhangup"};
  for (const char* name : denied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) != 0) {
      seccomp_release(ctx);
      return fail("simtee.seccomp_unavailable", std::string("cannot add rule for ") + name);
    }
  }
  int fd = ::memfd_create("simtee-seccomp", MFD_CLOEXEC);
  if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0) {
    if (fd >= 0) ::close(fd);
    seccomp_release(ctx);
    return fail("simtee.seccomp_unavailable", "cannot export the BPF program");
  }
  seccomp_release(ctx);
  off_t size = ::lseek(fd, 0, SEEK_END);
  std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
  ssize_t n = ::pread(fd, program.data(), program.size() * sizeof(sock_filter), 0);
  ::close(fd);
  if (size <= 0 || n != size || size % sizeof(sock_filter) != 0) {
    return fail("simtee.seccomp_unavailable", "short BPF program");
  }
  return program;
}

}  // namespace clemmys::simtee
