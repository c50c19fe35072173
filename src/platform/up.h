// `clemmys up`: starts the single-node platform in the foreground and wires its
// components together (no singletons: this is the one place that does it).
// Secure by default (secure_platform.h, doc/secure-mode.md), owner and provider on
// one machine; --provider: the provider's side alone, waiting for its owner's policy
// (doc/deploy.md); --plain: controller + invoker in this process, runtimes as plain
// child processes, no gateway/KMS.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>

namespace clemmys::platform {

struct UpOptions {
  std::string dataDir;  // state, wskprops; created if missing
  std::string host = "127.0.0.1";
  uint16_t port = 0;   // 0: a free port
  bool plain = false;  // no-TEE baseline (no simtee, KMS, gateway)
  int64_t memoryBudgetMb = 2048;
  int maxInFlight = 64;  // per namespace; beyond it invokes get 429
  std::string runtimePath = "/usr/local/bin:/usr/bin:/bin";  // PATH of runtimes
  std::map<std::string, int> prewarm = {{"cpp", 1}, {"python:3", 1}, {"nodejs:20", 1}};
  std::string policyFile;  // secure mode: the owner's additions (policy_additions.h)
  long untrustedUid = -1;  // secure mode, as root: the controller + invoker's uid (-1: the default)
  bool provider = false;   // the provider's side only (doc/deploy.md): no owner secret here
  std::string session;     // the KMS session; empty: "dev" (one machine) or "main" (provider)
  int64_t activationTtlSeconds = 7 * 24 * 3600;  // activation records older than this are deleted
};

// Runs until SIGINT/SIGTERM; returns the process exit code.
int up(const UpOptions& options, std::ostream& out, std::ostream& err);

// Parses `clemmys up` flags (argv[0]="clemmys", argv[1]="up") and runs up().
int upCommand(int argc, char** argv, std::ostream& out, std::ostream& err);

// Writes <dataDir>/wskprops atomically, mode 0600 (it holds the API key).
bool writeWskprops(const std::string& dataDir, const std::string& apiHost, const std::string& auth,
                   std::string& error);

}  // namespace clemmys::platform
