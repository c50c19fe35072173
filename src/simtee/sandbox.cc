#include "simtee/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "simtee/rootfs_verifier.h"

namespace clemmys::simtee {
namespace {

// What the child reports through the close-on-exec error pipe.
struct ChildReport {
  int stage;  // a fatal stage
  int err;
};
const char* stageName(int stage) {
  switch (stage) {
    case 2: return "user namespace mapping";
    case 3: return "mount propagation";
    case 4: return "rlimits";
    case 5: return "descriptor setup";
    case 6: return "chdir";
    case 7: return "capabilities";
    case 8: return "no_new_privs/dumpable";
    case 9: return "seccomp";
    case 10: return "execveat";
    case 11: return "private tmpfs mount";
    case 12: return "root tmpfs";
    case 13: return "root directories";
    case 14: return "root bind mount";
    case 15: return "root links";
    case 16: return "proc mount";
    case 17: return "pivot_root";
    case 18: return "uid switch";
    default: return "sandbox";
  }
}

[[noreturn]] void die(int pipeFd, int stage) {
  ChildReport r{stage, errno};
  ssize_t ignored = ::write(pipeFd, &r, sizeof(r));
  (void)ignored;
  ::_exit(127);
}

// Drops every capability; with `switchUid` the process first becomes
// kSandboxInnerId (mapped to its sandbox uid) with no supplementary groups. The
// securebits come first so that the uid change keeps the capabilities it needs
// (SECBIT_NO_SETUID_FIXUP) until capset clears them. Returns false on failure.
bool dropCapabilities(bool switchUid) {
  for (int cap = 0; cap <= 63; ++cap) ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  ::prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                 SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED);
  if (switchUid) {
    // Raw system calls: glibc's setgroups/setresgid/setresuid change every thread of
    // the process (setxid broadcast), taking locks that a thread of the daemon may have
    // held at clone time; in this single-threaded child they would wait forever.
    const long id = kSandboxInnerId;
    if (::syscall(SYS_setgroups, 0, nullptr) != 0 || ::syscall(SYS_setresgid, id, id, id) != 0 ||
        ::syscall(SYS_setresuid, id, id, id) != 0)
      return false;
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  return ::syscall(SYS_capset, &header, data) == 0;
}

// Builds the measured root under r.rootDir and pivots into it (rootfs-manifest.md,
// "What the daemon adds"). Only system calls on prepared strings.
void buildRoot(const PreparedRoot& r, int report) {
  if (::mount("tmpfs", r.rootDir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") != 0) die(report, 12);
  // The private /tmp first: entries below it are bound inside it.
  if ((::mkdir(r.tmp.c_str(), 0755) != 0 && errno != EEXIST) ||
      ::mount("tmpfs", r.tmp.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, r.tmpOptions.c_str()) != 0)
    die(report, 11);
  for (const auto& d : r.dirs) {
    if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) die(report, 13);
  }
  for (const auto& b : r.binds) {
    if (b.directory) {
      if (::mkdir(b.target.c_str(), 0755) != 0 && errno != EEXIST) die(report, 13);
    } else {
      int fd = ::open(b.target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) die(report, 13);
      ::close(fd);
    }
    if (::mount(b.source.c_str(), b.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) die(report, 14);
    if (b.readOnly &&
        ::mount(nullptr, b.target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | b.flags, nullptr) != 0)
      die(report, 14);
  }
  for (const auto& [text, path] : r.links) {
    if (::symlink(text.c_str(), path.c_str()) != 0) die(report, 15);
  }
  if (::mount("proc", r.proc.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) die(report, 16);
  if (::mount(nullptr, r.rootDir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
              nullptr) != 0)
    die(report, 12);
  // pivot_root(".", "."): the old root is stacked under the new one and detached at
  // once, so nothing of the host's tree stays reachable.
  if (::chdir(r.rootDir.c_str()) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0 ||
      ::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0)
    die(report, 17);
}

struct ChildPlan {
  const SandboxedLaunch* launch;
  bool userNs, pidNs, mountNs, switchUid;
  int syncRead, reportWrite, devNull;
  char* const* argv;
  char* const* envp;
  int highFd;  // first fd number above every fd we juggle
  pid_t parentPid;  // the daemon, as seen from the child (0 in a new pid namespace)
};

[[noreturn]] void runChild(const ChildPlan& p) {
  const SandboxedLaunch& l = *p.launch;
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // PR_SET_PDEATHSIG is set just before exec (below); LaunchThread makes the forking
  // thread live as long as the daemon.
  ::setsid();
  char go = 0;
  if (p.userNs && ::read(p.syncRead, &go, 1) != 1) die(p.reportWrite, 2);
  if (p.mountNs) {
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die(p.reportWrite, 3);
    if (l.root != nullptr) {
      buildRoot(*l.root, p.reportWrite);
    } else {
      if (p.pidNs && ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
        die(p.reportWrite, 16);
      // Measured option: a launch that asked for a private /tmp and cannot get one
      // does not start (the process would otherwise write secrets to the host's /tmp).
      if (l.sandbox.privateTmp &&
          (l.privateTmpDir.empty() ||
           ::mount("tmpfs", l.privateTmpDir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=256m") != 0))
        die(p.reportWrite, 11);
    }
  }
  rlimit core{0, 0};
  rlimit nofile{l.sandbox.maxOpenFiles, l.sandbox.maxOpenFiles};
  if (::setrlimit(RLIMIT_CORE, &core) != 0 || ::setrlimit(RLIMIT_NOFILE, &nofile) != 0) die(p.reportWrite, 4);
  if (l.sandbox.memoryLimitBytes > 0) {
    rlimit as{l.sandbox.memoryLimitBytes, l.sandbox.memoryLimitBytes};
    if (::setrlimit(RLIMIT_AS, &as) != 0) die(p.reportWrite, 4);
  }
  // Descriptors: lift every source above all targets, then place them.
  int report = ::fcntl(p.reportWrite, F_DUPFD_CLOEXEC, p.highFd);
  int exe = ::fcntl(l.executableFd, F_DUPFD_CLOEXEC, p.highFd);
  int devNull = ::fcntl(p.devNull, F_DUPFD_CLOEXEC, p.highFd);
  if (report < 0 || exe < 0 || devNull < 0) die(p.reportWrite, 5);
  int lifted[32];
  size_t n = l.fds.size() < 32 ? l.fds.size() : 32;
  for (size_t i = 0; i < n; ++i) {
    lifted[i] = ::fcntl(l.fds[i].first, F_DUPFD_CLOEXEC, p.highFd);
    if (lifted[i] < 0) die(report, 5);
  }
  bool placed[3] = {false, false, false};
  for (size_t i = 0; i < n; ++i) {
    if (::dup2(lifted[i], l.fds[i].second) < 0) die(report, 5);
    if (l.fds[i].second < 3) placed[l.fds[i].second] = true;
  }
  for (int std = 0; std < 3; ++std) {
    if (!placed[std] && ::dup2(devNull, std) < 0) die(report, 5);
  }
  // Close everything below highFd that is not a target; the lifted copies are CLOEXEC.
  for (int fd = 0; fd < p.highFd; ++fd) {
    bool keep = fd < 3;
    for (size_t i = 0; i < n && !keep; ++i) keep = l.fds[i].second == fd;
    if (!keep) ::close(fd);
  }
  if (::chdir(l.cwd.empty() ? "/" : l.cwd.c_str()) != 0) die(report, 6);
  if (!dropCapabilities(p.switchUid)) die(report, 18);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die(report, 8);
  if (l.sandbox.seccomp) {
    sock_fprog prog{static_cast<unsigned short>(l.seccompProgram->size()),
                    const_cast<sock_filter*>(l.seccompProgram->data())};
    if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) die(report, 9);
  }
  // Last, after every credential change (which would clear it): die with the daemon.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || ::getppid() != p.parentPid) die(report, 8);
  ::syscall(SYS_execveat, exe, "", p.argv, p.envp, AT_EMPTY_PATH);
  die(report, 10);
}

Status writeProcFile(pid_t pid, const char* file, const std::string& content) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail("simtee.launch_failed", "open " + path + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, content.data(), content.size());
  int e = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(content.size())) return fail("simtee.launch_failed", "write " + path + ": " + std::strerror(e));
  return {};
}

bool probeOne(int flag) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(::unshare(flag) == 0 ? 0 : 1);
  if (pid < 0) return false;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::vector<char*> cArray(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

NamespaceSupport probeNamespaces() {
  NamespaceSupport s;
  s.user = probeOne(CLONE_NEWUSER);
  // A launch creates its namespaces in one clone, together with its user namespace;
  // without root only that combination is allowed, so probe it that way.
  int with = s.user ? CLONE_NEWUSER : 0;
  s.pid = probeOne(with | CLONE_NEWPID);
  s.mount = probeOne(with | CLONE_NEWNS);
  s.ipc = probeOne(with | CLONE_NEWIPC);
  s.net = probeOne(with | CLONE_NEWNET);
  return s;
}

Result<int> sealedCopy(const std::string& path, std::string& contents) {
  int src = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) return fail("simtee.exec_unreadable", "open " + path + ": " + std::strerror(errno));
  return sealedCopyOf(src, path, contents);
}

Result<int> sealedCopyOf(int src, const std::string& path, std::string& contents) {
  contents.clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(src, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(src);
      return fail("simtee.exec_unreadable", "read " + path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    contents.append(buf, static_cast<size_t>(n));
  }
  ::close(src);
  // The process runs exactly the bytes that were measured: a sealed copy
  // cannot change between measurement and exec, whoever owns the file.
  int fd = ::memfd_create("simtee-exe", MFD_CLOEXEC | MFD_ALLOW_SEALING | 0x0010U /* MFD_EXEC */);
  if (fd < 0 && errno == EINVAL) fd = ::memfd_create("simtee-exe", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return fail("simtee.launch_failed", std::string("memfd_create: ") + std::strerror(errno));
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n <= 0) {
      ::close(fd);
      return fail("simtee.launch_failed", "cannot fill the executable copy");
    }
    done += static_cast<size_t>(n);
  }
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
    ::close(fd);
    return fail("simtee.launch_failed", std::string("sealing the executable copy: ") + std::strerror(errno));
  }
  return fd;
}

Result<Started> startSandboxed(const SandboxedLaunch& l, const NamespaceSupport& support) {
  if (l.argv.empty()) return fail("simtee.launch_failed", "empty argv");
  if (l.fds.size() > 32) return fail("simtee.launch_failed", "too many descriptors");
  if (l.sandbox.seccomp && l.seccompProgram == nullptr) return fail("simtee.launch_failed", "no seccomp program");
  Started out;
  int flags = 0;
  std::string missing;
  auto want = [&](bool requested, bool supported, int flag, const char* name) {
    if (!requested) return;
    if (supported) flags |= flag;
    else missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  want(l.sandbox.userNamespace, support.user, CLONE_NEWUSER, "user_namespace");
  want(l.sandbox.pidNamespace, support.pid, CLONE_NEWPID, "pid_namespace");
  want(l.sandbox.mountNamespace, support.mount, CLONE_NEWNS, "mount_namespace");
  want(l.sandbox.ipcNamespace, support.ipc, CLONE_NEWIPC, "ipc_namespace");
  want(l.sandbox.netNamespace, support.net, CLONE_NEWNET, "net_namespace");
  // A weaker sandbox is a different identity: the quote would misreport it.
  if (!missing.empty()) return fail("simtee.sandbox_unavailable", "the kernel refuses " + missing);
  if (l.sandbox.privateTmp && !(flags & CLONE_NEWNS))
    return fail("simtee.launch_failed", "a private tmpfs needs a mount namespace");
  const bool switchUid = l.sandboxUid != static_cast<uid_t>(-1);
  if ((l.root != nullptr || switchUid) && (flags & (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID)) !=
                                              (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID))
    return fail("simtee.launch_failed", "a measured root or sandbox uid needs user, mount and pid namespaces");

  int sync[2], report[2];
  if (::pipe2(sync, O_CLOEXEC) != 0) return fail("simtee.launch_failed", "pipe");
  if (::pipe2(report, O_CLOEXEC) != 0) {
    ::close(sync[0]);
    ::close(sync[1]);
    return fail("simtee.launch_failed", "pipe");
  }
  int devNull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  int highFd = 64;
  for (const auto& [from, to] : l.fds) highFd = std::max({highFd, from + 1, to + 1});
  highFd = std::max({highFd, l.executableFd + 1, sync[0] + 1, report[1] + 1, devNull + 1});
  std::vector<char*> argv = cArray(l.argv), envp = cArray(l.env);
  ChildPlan plan{&l, (flags & CLONE_NEWUSER) != 0, (flags & CLONE_NEWPID) != 0, (flags & CLONE_NEWNS) != 0,
                 switchUid, sync[0], report[1], devNull, argv.data(), envp.data(), highFd,
                 (flags & CLONE_NEWPID) != 0 ? 0 : ::getpid()};

  // A raw clone (no glibc fork handlers): the child makes only system calls.
  long pid = ::syscall(SYS_clone, static_cast<unsigned long>(flags | SIGCHLD), nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) runChild(plan);
  int cloneErr = errno;
  ::close(sync[0]);
  ::close(report[1]);
  ::close(devNull);
  if (pid < 0) {
    ::close(sync[1]);
    ::close(report[0]);
    return fail("simtee.launch_failed", std::string("clone: ") + std::strerror(cloneErr));
  }
  Status mapped;
  if (flags & CLONE_NEWUSER) {
    // Root inside the namespace is the daemon's own uid outside: no new host privilege.
    // With a sandbox uid, inner id 1 is that uid, which the child switches to once its
    // root is built; only a daemon with CAP_SETUID/CAP_SETGID can write such a map,
    // and it keeps setgroups allowed so the child can drop the daemon's groups.
    std::string self = "0 " + std::to_string(::geteuid()) + " 1\n";
    std::string selfGid = "0 " + std::to_string(::getegid()) + " 1\n";
    std::string extra = switchUid ? std::to_string(kSandboxInnerId) + " " + std::to_string(l.sandboxUid) + " 1\n" : "";
    mapped = writeProcFile(pid, "uid_map", self + extra);
    if (mapped && !switchUid) mapped = writeProcFile(pid, "setgroups", "deny\n");
    if (mapped) mapped = writeProcFile(pid, "gid_map", selfGid + extra);
    if (mapped) {
      char go = 1;
      if (::write(sync[1], &go, 1) != 1) mapped = fail("simtee.launch_failed", "sync pipe");
    }
  }
  ::close(sync[1]);
  std::string fatal = mapped ? "" : mapped.error().message;
  ChildReport r;
  while (::read(report[0], &r, sizeof(r)) == static_cast<ssize_t>(sizeof(r))) {
    fatal = std::string(stageName(r.stage)) + ": " + std::strerror(r.err);
  }
  ::close(report[0]);
  if (!fatal.empty()) {
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return fail("simtee.launch_failed", fatal);
  }
  out.pid = static_cast<pid_t>(pid);
  return out;
}


PreparedRoot prepareRoot(const RootPlan& plan, const std::string& rootDir) {
  PreparedRoot r;
  r.rootDir = rootDir;
  for (const auto& d : plan.dirs) r.dirs.push_back(rootDir + d);
  for (const auto& b : plan.binds) r.binds.push_back({b.source, rootDir + b.target, b.directory, b.readOnly, b.flags});
  for (const auto& [text, path] : plan.links) r.links.emplace_back(text, rootDir + path);
  r.proc = rootDir + "/proc";
  r.tmp = rootDir + "/tmp";
  // Owned by the namespace's root with the sticky bit, like a host's /tmp: the process
  // (inner uid 1) creates its files there but cannot rename the directories the daemon
  // made for entries below /tmp. Only this launch's processes see it.
  r.tmpOptions = "mode=1777,size=256m";
  return r;
}

Result<Started> LaunchThread::start(const SandboxedLaunch& launch, const NamespaceSupport& support) {
  Result<Started> out = fail("simtee.launch_failed", "daemon stopping");
  (void)thread_.run([&] { out = startSandboxed(launch, support); });
  return out;
}

}  // namespace clemmys::simtee
