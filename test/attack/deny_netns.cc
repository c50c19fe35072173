// deny_netns PROGRAM ARGS...: runs PROGRAM with a seccomp filter under which the
// kernel refuses every new network namespace (unshare/clone with CLONE_NEWNET get
// EPERM; clone3, whose flags a filter cannot read, gets ENOSYS so libc falls back to
// clone). The attack suite starts a clemmys-simtee under it: a host whose kernel
// refuses a namespace that a launch asks for (doc/attack-suite.md).
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: deny_netns PROGRAM ARGS...\n");
    return 2;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr ||
      seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWNET, CLONE_NEWNET)) != 0 ||
      seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWNET, CLONE_NEWNET)) != 0 ||
      seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0 || seccomp_load(ctx) != 0) {
    std::fprintf(stderr, "deny_netns: cannot install the filter\n");
    return 1;
  }
  ::execv(argv[1], argv + 1);
  std::perror("deny_netns: exec");
  return 127;
}
