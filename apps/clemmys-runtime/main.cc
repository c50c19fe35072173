// clemmys-runtime: serves the OpenWhisk action-proxy protocol (POST /init, POST /run)
// for one action. See doc/formats/runtime-protocol.md.
//
//   clemmys-runtime [--host H] [--port N] [--listen-fd FD] [--launcher-dir DIR]
//                   [--python PATH] [--node PATH] [--kind K]
//                   [--secure --kms https://H:P --kms-cert PEMFILE --session NAME
//                    [--attester sim|sgx|tdx|snp] [--collateral-dir DIR]]
//
// --secure (doc/secure-mode.md): before serving, attest to the KMS and take the
// session's keys; a runtime that cannot attest exits 1 with the named error and
// never serves in plain mode.
//
// Defaults: 0.0.0.0:8080 (an OpenWhisk action container). --listen-fd serves on an
// inherited socket that is already bound and listening (how our invoker starts it).
// --python / --node fix the interpreters (secure mode: they are part of the measured
// argv, and the launch's measured root holds exactly those files); without them the
// interpreters are looked up in $PATH, as OpenWhisk's runtimes do.
// SIGTERM or SIGINT stops the server, kills the action's process and removes its files.
#include <signal.h>
#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/log.h"
#include "common/subprocess.h"
#include "http/server.h"
#include "runtime/action_proxy.h"
#include "runtime/secure_runtime.h"

namespace {

int usage(const char* why) {
  std::fprintf(stderr,
               "clemmys-runtime: %s\nusage: clemmys-runtime [--host H] [--port N] "
               "[--listen-fd FD] [--launcher-dir DIR] [--python PATH] [--node PATH] [--kind K]\n"
               "       [--secure --kms https://H:P --kms-cert PEMFILE --session NAME "
               "[--attester sim|sgx|tdx|snp] [--collateral-dir DIR]]\n",
               why);
  return 2;
}

bool parseInt(std::string_view s, long lo, long hi, long& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::string copy(s);
  long v = std::strtol(copy.c_str(), &end, 10);
  if (*end != '\0' || v < lo || v > hi) return false;
  out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clemmys;
  log::setComponent("runtime");
  http::ServerOptions serverOptions;
  serverOptions.host = "0.0.0.0";
  serverOptions.port = 8080;
  serverOptions.maxBodyBytes = 64u << 20;  // code arrives in the /init body
  serverOptions.tooLarge = [](uint64_t, size_t limit) {
    return http::Response::json(
        413, boost::json::object{{"error", "The request body exceeds " +
                                               std::to_string(limit) + " bytes."}});
  };
  runtime::ProxyOptions proxyOptions;
  proxyOptions.tools.launcherDir = selfDirectory() + "/../share/clemmys/launchers";

  runtime::SecureOptions secure;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--secure") {
      secure.enabled = true;
      continue;
    }
    if (i + 1 >= argc) return usage(("missing value for " + std::string(arg)).c_str());
    std::string_view value = argv[++i];
    long n = 0;
    if (arg == "--host") {
      serverOptions.host = std::string(value);
    } else if (arg == "--port") {
      if (!parseInt(value, 0, 65535, n)) return usage("bad --port");
      serverOptions.port = static_cast<uint16_t>(n);
    } else if (arg == "--listen-fd") {
      if (!parseInt(value, 0, 1 << 20, n)) return usage("bad --listen-fd");
      serverOptions.listenFd = static_cast<int>(n);
    } else if (arg == "--launcher-dir") {
      proxyOptions.tools.launcherDir = std::string(value);
    } else if (arg == "--python" || arg == "--node") {
      if (value.empty() || value[0] != '/') return usage(("bad " + std::string(arg)).c_str());
      (arg == "--python" ? proxyOptions.tools.python : proxyOptions.tools.node) = std::string(value);
    } else if (arg == "--kind") {
      proxyOptions.defaultKind = std::string(value);
    } else if (arg == "--kms") {
      secure.kmsUrl = std::string(value);
    } else if (arg == "--kms-cert") {
      secure.kmsCert = std::string(value);
    } else if (arg == "--session") {
      secure.session = std::string(value);
    } else if (arg == "--attester") {
      // One vocabulary with the gateway: sgx is Gramine's /dev/attestation, tdx and
      // snp the kernel's configfs-tsm.
      if (value != "sim" && value != "sgx" && value != "tdx" && value != "snp") {
        return usage("--attester is one of sim, sgx, tdx, snp");
      }
      secure.attester = std::string(value);
    } else if (arg == "--collateral-dir") {
      // The host's collateral cache; argv is measured, the cache's content is checked
      // by the KMS (doc/formats/collateral-cache.md).
      secure.collateralDir = std::string(value);
    } else {
      return usage(("unknown option " + std::string(arg)).c_str());
    }
  }

  if (!secure.enabled && (!secure.kmsUrl.empty() || !secure.session.empty())) {
    return usage("--kms and --session need --secure");
  }
  if (secure.enabled && (secure.kmsUrl.empty() || secure.kmsCert.empty() || secure.session.empty())) {
    return usage("--secure needs --kms, --kms-cert and --session");
  }
  // Secure set-up that needs a single-threaded process (namespaces) comes first.
  std::unique_ptr<runtime::SecureRuntime> secureRuntime;
  if (secure.enabled) {
    secure.files = runtime::PrivateFiles::prepare("");
    proxyOptions.tools.noNetwork = true;
    proxyOptions.tools.pathLookup = false;
    // Not dumpable: the function's own processes (same uid, a user namespace below
    // ours) cannot ptrace us or read /proc/<pid>/mem, where the session's keys are.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
      std::fprintf(stderr, "clemmys-runtime: runtime.not_protected: PR_SET_DUMPABLE failed\n");
      return 1;
    }
  }

  // Writes to an exited ActionLoop child must fail with EPIPE, not kill us. The stop
  // signals are blocked before any thread starts so that only sigwait() sees them.
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  // A handler (never run: the signals stay blocked until sigwait takes them) makes
  // the kernel deliver them when we are a pid namespace's init, as under the simtee;
  // with the default disposition it would drop them there.
  struct sigaction onStop{};
  onStop.sa_handler = [](int) {};
  sigaction(SIGTERM, &onStop, nullptr);
  sigaction(SIGINT, &onStop, nullptr);

  SystemClock clock;
  SystemRandom random;
  if (secure.enabled) proxyOptions.sentinel.clear();  // the log sealer writes it
  runtime::ActionProxy proxy(std::move(proxyOptions), clock);
  if (secure.enabled) {
    auto started = runtime::SecureRuntime::start(secure, proxy, clock, random);
    if (!started) {
      secure.files.remove();
      std::fprintf(stderr, "clemmys-runtime: %s\n", started.error().str().c_str());
      return 1;
    }
    secureRuntime = std::move(*started);
  }
  auto server = http::Server::start(serverOptions, [&](http::Request& request) {
    return secureRuntime ? secureRuntime->handle(request) : proxy.handle(request);
  });
  if (!server) {
    log::error("cannot serve: " + server.error().str());
    return 1;
  }
  // No "serving" line: anything printed before the first activation would be counted
  // as part of that activation's logs.

  int sig = 0;
  sigwait(&stopSignals, &sig);
  (*server)->stop();
  secureRuntime.reset();
  return 0;
}
