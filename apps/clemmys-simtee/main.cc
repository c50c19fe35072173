// clemmys-simtee: the simulated TEE platform daemon (doc/simtee.md).
//   clemmys-simtee --socket PATH --state-dir DIR
//   clemmys-simtee measure [--no-seccomp ...] -- /abs/exe args...   (prints the measurement)
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/log.h"
#include "simtee/daemon.h"
#include "simtee/measurement.h"
#include "simtee/sandbox.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: clemmys-simtee --socket PATH --state-dir DIR\n"
               "       clemmys-simtee measure [--no-user-ns] [--no-pid-ns] [--no-mount-ns] [--no-ipc-ns]\n"
               "                              [--net-ns] [--no-seccomp] [--no-private-tmp] [--memory BYTES]\n"
               "                              [--nofile N] -- EXE ARGS...\n");
  return 2;
}

int measureCommand(int argc, char** argv) {
  clemmys::tee::SandboxOptions s;
  int i = 2;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    std::string a = argv[i];
    if (a == "--no-user-ns") s.userNamespace = false;
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
  auto m = clemmys::simtee::measure(clemmys::crypto::asBytes(bytes), args, s);
  std::printf("%s\n", clemmys::toHex(std::span<const uint8_t>(m)).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "measure") == 0) return measureCommand(argc, argv);
  std::string socket, stateDir;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--socket" && i + 1 < argc) socket = argv[++i];
    else if (a == "--state-dir" && i + 1 < argc) stateDir = argv[++i];
    else return usage();
  }
  if (socket.empty() || stateDir.empty()) return usage();
  clemmys::log::setComponent("simtee");
  // Termination signals are taken by a watcher thread so run() can stop cleanly.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigaddset(&term, SIGINT);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  clemmys::SystemClock clock;
  auto daemon = clemmys::simtee::Daemon::create({socket, stateDir}, clock);
  if (!daemon) {
    std::fprintf(stderr, "clemmys-simtee: %s\n", daemon.error().str().c_str());
    return 1;
  }
  const auto& ns = (*daemon)->namespaces();
  std::string missing;
  for (auto [ok, name] : {std::pair{ns.user, "user"}, {ns.pid, "pid"}, {ns.mount, "mount"}, {ns.ipc, "ipc"}, {ns.net, "net"}}) {
    if (!ok) missing += std::string(" ") + name;
  }
  if (!missing.empty()) clemmys::log::warn("namespaces unavailable (launches report them degraded):" + missing);
  clemmys::log::info("listening on " + socket);
  std::thread watcher([&] {
    int sig = 0;
    sigwait(&term, &sig);
    (*daemon)->stop();
  });
  watcher.detach();
  (*daemon)->run();
  return 0;
}
