// clemmys-simtee: the simulated TEE platform daemon (doc/simtee.md).
//   clemmys-simtee --socket PATH --state-dir DIR [--sandbox-uids FIRST:COUNT]
//   clemmys-simtee measure [--rootfs MANIFEST] [--no-seccomp ...] -- /abs/exe args...
//                                                      (prints the measurement)
//   clemmys-simtee manifest [--libraries-of ELF]... [--state DIR]... [PATH...]
//                                                      (prints a root manifest)
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/log.h"
#include "simtee/daemon.h"
#include "simtee/measurement.h"
#include "simtee/rootfs_builder.h"
#include "simtee/sandbox.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: clemmys-simtee --socket PATH --state-dir DIR [--sandbox-uids FIRST:COUNT]\n"
               "       clemmys-simtee measure [--rootfs MANIFEST] [--no-user-ns] [--no-pid-ns] [--no-mount-ns]\n"
               "                              [--no-ipc-ns] [--net-ns] [--no-seccomp] [--no-private-tmp]\n"
               "                              [--memory BYTES] [--nofile N] -- EXE ARGS...\n"
               "       clemmys-simtee manifest [--libraries-of ELF]... [--state DIR]... [PATH...]\n");
  return 2;
}

int measureCommand(int argc, char** argv) {
  clemmys::tee::SandboxOptions s;
  std::optional<clemmys::simtee::RootfsManifest> rootfs;
  int i = 2;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    std::string a = argv[i];
    if (a == "--rootfs" && i + 1 < argc) {
      // The same checks as a launch: a manifest that does not match the host gives
      // no measurement rather than one no launch can have.
      clemmys::simtee::RootfsVerifier verifier(::geteuid());
      auto m = verifier.load(argv[++i]);
      if (!m) {
        std::fprintf(stderr, "%s\n", m.error().str().c_str());
        return 1;
      }
      rootfs = std::move(*m);
    } else if (a == "--no-user-ns") s.userNamespace = false;
    else if (a == "--no-pid-ns") s.pidNamespace = false;
    else if (a == "--no-mount-ns") s.mountNamespace = false;
    else if (a == "--no-ipc-ns") s.ipcNamespace = false;
    else if (a == "--net-ns") s.netNamespace = true;
    else if (a == "--no-seccomp") s.seccomp = false;
    else if (a == "--no-private-tmp") s.privateTmp = false;
    else if (a == "--memory" && i + 1 < argc) s.memoryLimitBytes = std::stoull(argv[++i]);
    else if (a == "--nofile" && i + 1 < argc) s.maxOpenFiles = std::stoull(argv[++i]);
    else return usage();
  }
  if (i + 1 >= argc) return usage();
  std::vector<std::string> args(argv + i + 1, argv + argc);
  std::string bytes;
  auto fd = clemmys::simtee::sealedCopy(args[0], bytes);
  if (!fd) {
    std::fprintf(stderr, "%s\n", fd.error().str().c_str());
    return 1;
  }
  auto m = clemmys::simtee::measure(clemmys::crypto::asBytes(bytes), args, s, rootfs ? &rootfs->digest : nullptr);
  std::printf("%s\n", clemmys::toHex(std::span<const uint8_t>(m)).c_str());
  return 0;
}

int manifestCommand(int argc, char** argv) {
  clemmys::simtee::RootfsBuilder builder;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    clemmys::Status s = a == "--libraries-of" && i + 1 < argc ? builder.addLibrariesOf(argv[++i])
                        : a == "--state" && i + 1 < argc     ? builder.addState(argv[++i])
                                                             : builder.add(a);
    if (!s) {
      std::fprintf(stderr, "clemmys-simtee manifest: %s\n", s.error().str().c_str());
      return 1;
    }
  }
  std::fputs(builder.text().c_str(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

bool parseUidRange(const std::string& v, clemmys::simtee::DaemonOptions& o) {
  unsigned long first = 0, count = 0;
  char tail = 0;
  if (std::sscanf(v.c_str(), "%lu:%lu%c", &first, &count, &tail) != 2) return false;
  if (first == 0 || count == 0 || first + count > 4294967294UL) return false;
  o.sandboxUidFirst = static_cast<uid_t>(first);
  o.sandboxUidCount = static_cast<uint32_t>(count);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "measure") == 0) return measureCommand(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "manifest") == 0) return manifestCommand(argc, argv);
  clemmys::simtee::DaemonOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--socket" && i + 1 < argc) options.socketPath = argv[++i];
    else if (a == "--state-dir" && i + 1 < argc) options.stateDir = argv[++i];
    else if (a == "--sandbox-uids" && i + 1 < argc) {
      if (!parseUidRange(argv[++i], options)) return usage();
    } else return usage();
  }
  if (options.socketPath.empty() || options.stateDir.empty()) return usage();
  clemmys::log::setComponent("simtee");
  // Termination signals are taken by a watcher thread so run() can stop cleanly.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigaddset(&term, SIGINT);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  clemmys::SystemClock clock;
  auto daemon = clemmys::simtee::Daemon::create(options, clock);
  if (!daemon) {
    std::fprintf(stderr, "clemmys-simtee: %s\n", daemon.error().str().c_str());
    return 1;
  }
  const auto& ns = (*daemon)->namespaces();
  std::string missing;
  for (auto [ok, name] : {std::pair{ns.user, "user"}, {ns.pid, "pid"}, {ns.mount, "mount"}, {ns.ipc, "ipc"}, {ns.net, "net"}}) {
    if (!ok) missing += std::string(" ") + name;
  }
  if (!missing.empty()) clemmys::log::warn("namespaces unavailable (launches that ask for them fail):" + missing);
  if (::geteuid() != 0) {
    clemmys::log::warn("not root: launches with a measured root run as this daemon's uid (no sandbox uids)");
  }
  clemmys::log::info("listening on " + options.socketPath);
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&term, &sig);
    (*daemon)->stop();
  });
  watcher.detach();
  (*daemon)->run();
  return 0;
}
