#include "platform/up.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "common/clock.h"
#include "common/log.h"
#include "common/random.h"
#include "common/subprocess.h"
#include "controller/controller.h"
#include "invoker/pool.h"
#include "platform/dev_policy.h"
#include "platform/policy_additions.h"
#include "platform/secure_platform.h"

namespace clemmys::platform {
namespace fs = std::filesystem;

bool writeWskprops(const std::string& dataDir, const std::string& apiHost, const std::string& auth,
                   std::string& error) {
  std::string path = dataDir + "/wskprops";
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot write " + tmp;
    return false;
  }
  std::string text = "APIHOST=" + apiHost + "\nAUTH=" + auth + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = (::fsync(fd) == 0) && ok;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot write " + path;
    return false;
  }
  return true;
}

namespace {

sigset_t blockStopSignals() {
  // Blocked in every thread we start; the main thread waits for them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return stopSignals;
}

int secureUp(const UpOptions& options, std::ostream& out, std::ostream& err) {
  sigset_t stopSignals = blockStopSignals();
  SecureOptions so;
  so.dataDir = fs::absolute(options.dataDir).string();
  so.binDir = selfDirectory();
  so.port = options.port;
  so.memoryBudgetMb = options.memoryBudgetMb;
  so.maxInFlight = options.maxInFlight;
  so.activationTtl = std::chrono::seconds(options.activationTtlSeconds);
  so.runtimePath = options.runtimePath;
  so.prewarm = options.prewarm;
  if (options.untrustedUid >= 0) {
    if (::geteuid() != 0) {
      err << "clemmys up: --untrusted-uid needs root (only root can run a process as another uid)" << std::endl;
      return 2;
    }
    so.untrustedUid = static_cast<uid_t>(options.untrustedUid);
  }
  if (options.provider && !options.policyFile.empty()) {
    err << "clemmys up: --policy belongs to the owner in provider mode (`clemmys owner apply`, doc/deploy.md)"
        << std::endl;
    return 2;
  }
  so.provider = options.provider;
  so.session = !options.session.empty() ? options.session : options.provider ? "main" : "dev";
  so.stopRequested = [&stopSignals, &options] {
    timespec now{0, 0};
    int sig = sigtimedwait(&stopSignals, nullptr, &now);
    return sig > 0;
  };
  if (!options.policyFile.empty()) {
    auto text = readTextFile(options.policyFile);
    Result<PolicyAdditions> additions =
        text ? parsePolicyAdditions(*text) : Result<PolicyAdditions>(std::unexpected(text.error()));
    if (!additions) {
      err << "clemmys up: --policy " << options.policyFile << ": " << additions.error().str()
          << std::endl;
      return 1;
    }
    so.extraFunctionsYaml = additions->functionsYaml;
    so.extraSecretsYaml = additions->secretsYaml;
  }
  if (options.provider) {
    err << "clemmys up: provider mode: the owner's keys and credentials stay with the owner (doc/deploy.md)"
        << std::endl;
  } else {
    err << "clemmys up: owner and provider on one machine (development mode: the owner's key and the client "
           "credential are kept in "
        << so.dataDir << "/owner; `clemmys up --provider` and `clemmys owner` keep them apart, doc/deploy.md)"
        << std::endl;
  }
  auto platform = SecurePlatform::start(so, err);
  if (!platform) {
    if (platform.error().name == "platform.stopped") {
      out << "clemmys: stopped" << std::endl;
      return 0;
    }
    err << "clemmys up: " << platform.error().str() << std::endl;
    return 1;
  }
  if (options.provider) {
    out << "clemmys ready (provider mode): APIHOST=" << (*platform)->apiHost()
        << " CACERT=" << (*platform)->caCertPath() << " (the owner's wskprops has AUTH)" << std::endl;
  } else {
    out << "clemmys ready (secure mode): APIHOST=" << (*platform)->apiHost()
        << " CACERT=" << (*platform)->caCertPath() << " wskprops=" << (*platform)->wskpropsPath()
        << std::endl;
  }
  // Until a stop signal: every part that ends is started again (doc/secure-mode.md,
  // "Supervision").
  int sig = 0;
  for (;;) {
    timespec tick{0, 250 * 1000 * 1000};
    sig = sigtimedwait(&stopSignals, nullptr, &tick);
    if (sig > 0) break;
    (*platform)->supervise(err);
  }
  out << "clemmys: stopping (signal " << sig << ")" << std::endl;
  (*platform)->stop();
  out << "clemmys: stopped" << std::endl;
  return 0;
}

}  // namespace

int up(const UpOptions& options, std::ostream& out, std::ostream& err) {
  if (!options.plain) return secureUp(options, out, err);
  if (!options.policyFile.empty() || options.provider) {
    err << "clemmys up: --policy and --provider need the secure platform (there is no KMS with --plain)\n";
    return 2;
  }
  std::error_code ec;
  fs::create_directories(options.dataDir, ec);
  if (ec) {
    err << "clemmys up: cannot create data directory " << options.dataDir << ": " << ec.message()
        << "\n";
    return 1;
  }
  sigset_t stopSignals = blockStopSignals();

  SystemClock clock;
  SystemRandom random;
  invoker::PoolOptions poolOptions;
  poolOptions.runtimeBinary = selfDirectory() + "/clemmys-runtime";
  poolOptions.memoryBudgetMb = options.memoryBudgetMb;
  poolOptions.prewarm = options.prewarm;
  // Functions see the system's interpreters (python:3 is Debian's python3), not
  // whatever shims the operator's shell has first on its PATH.
  poolOptions.runtimeEnv.push_back("PATH=" + options.runtimePath);
  auto pool = invoker::Pool::start(poolOptions, clock);
  if (!pool) {
    err << "clemmys up: invoker: " << pool.error().str() << "\n";
    return 1;
  }
  controller::ControllerOptions controllerOptions;
  controllerOptions.dataDir = options.dataDir;
  controllerOptions.host = options.host;
  controllerOptions.port = options.port;
  controllerOptions.maxConcurrentPerNamespace = options.maxInFlight;
  controllerOptions.activationTtl = std::chrono::seconds(options.activationTtlSeconds);
  auto controller = controller::Controller::start(controllerOptions, **pool, clock, random);
  if (!controller) {
    err << "clemmys up: controller: " << controller.error().str() << "\n";
    (*pool)->stop();
    return 1;
  }
  std::string apiHost = "http://" + options.host + ":" + std::to_string((*controller)->port());
  std::string error;
  if (!writeWskprops(options.dataDir, apiHost, (*controller)->auth(), error)) {
    err << "clemmys up: " << error << "\n";
    (*controller)->stop();
    (*pool)->stop();
    return 1;
  }
  out << "clemmys ready (plain mode): APIHOST=" << apiHost << " namespace=" << (*controller)->ns()
      << " wskprops=" << options.dataDir << "/wskprops" << std::endl;

  int sig = 0;
  sigwait(&stopSignals, &sig);
  out << "clemmys: stopping (signal " << sig << ")" << std::endl;
  (*controller)->stop();
  (*pool)->stop();
  out << "clemmys: stopped" << std::endl;
  return 0;
}

int upCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  UpOptions o;
  const char* home = std::getenv("HOME");
  o.dataDir = std::getenv("CLEMMYS_DATA_DIR") ? std::getenv("CLEMMYS_DATA_DIR")
                                              : std::string(home ? home : ".") + "/.clemmys";
  auto usage = [&] {
    err << "usage: clemmys up [--plain | --provider [--session NAME]] [--data-dir DIR] [--port N] [--host ADDR]\n"
           "                  [--memory-budget MB] [--max-in-flight N] [--prewarm KIND=N]...\n"
           "                  [--activation-ttl SECONDS]  (records kept; default 604800, at least 60)\n"
           "                  [--policy FILE]   (functions/secrets added to the dev policy)\n"
           "                  [--untrusted-uid N]  (as root: the controller + invoker's uid;\n"
           "                                        default 1999999999)\n";
    return 2;
  };
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--plain") {
      o.plain = true;
    } else if (a == "--provider") {
      o.provider = true;
    } else if (a == "--session") {
      auto v = value();
      if (!v) return usage();
      o.session = v;
    } else if (a == "--data-dir") {
      auto v = value();
      if (!v) return usage();
      o.dataDir = v;
    } else if (a == "--port") {
      auto v = value();
      char* end = nullptr;
      long p = v ? std::strtol(v, &end, 10) : -1;
      if (!v || *end || p < 0 || p > 65535) return usage();
      o.port = static_cast<uint16_t>(p);
    } else if (a == "--host") {
      auto v = value();
      if (!v) return usage();
      o.host = v;
    } else if (a == "--memory-budget") {
      auto v = value();
      char* end = nullptr;
      long long m = v ? std::strtoll(v, &end, 10) : -1;
      if (!v || *end || m < 128) return usage();
      o.memoryBudgetMb = m;
    } else if (a == "--max-in-flight") {
      auto v = value();
      char* end = nullptr;
      long n = v ? std::strtol(v, &end, 10) : -1;
      if (!v || *end || n < 1) return usage();
      o.maxInFlight = static_cast<int>(n);
    } else if (a == "--activation-ttl") {
      auto v = value();
      char* end = nullptr;
      long long t = v ? std::strtoll(v, &end, 10) : -1;
      if (!v || *end || t < 60) return usage();
      o.activationTtlSeconds = t;
    } else if (a == "--policy") {
      auto v = value();
      if (!v) return usage();
      o.policyFile = v;
    } else if (a == "--untrusted-uid") {
      auto v = value();
      char* end = nullptr;
      long n = v ? std::strtol(v, &end, 10) : -1;
      // Never root, never a sandbox uid of the simtee (doc/simtee.md).
      if (!v || *end || n < 1 || n >= 2000000000L) return usage();
      o.untrustedUid = n;
    } else if (a == "--prewarm") {
      auto v = value();
      std::string s = v ? v : "";
      auto eq = s.find('=');
      if (eq == std::string::npos) return usage();
      o.prewarm[s.substr(0, eq)] = std::atoi(s.c_str() + eq + 1);
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else {
      err << "clemmys up: unknown flag " << a << "\n";
      return usage();
    }
  }
  return up(o, out, err);
}

}  // namespace clemmys::platform
