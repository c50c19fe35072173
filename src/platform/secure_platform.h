// The secure single-node platform (doc/secure-mode.md): clemmys-simtee (child),
// clemmys-kms launched through it and verified, then either the owner key and `dev`
// session policy kept here (development: owner and provider on one machine) or, in
// provider mode (doc/deploy.md), provider.json for the owner and a wait for the
// owner's signed policy; then controller + invoker (a process of their own;
// runtimes launched through the simtee), and clemmys-gateway launched through the
// simtee. Used by `clemmys up` and `clemmys demo`.
//
// Thread safety: start() and stop() from one thread (the one whose lifetime the
// simtee child is tied to: PR_SET_PDEATHSIG is per thread). Accessors are const.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "common/clock.h"
#include "common/error.h"
#include "common/random.h"
#include "common/subprocess.h"
#include "controller/controller.h"
#include "http/client.h"
#include "invoker/pool.h"
#include "platform/runtime_rootfs.h"
#include "platform/trusted_process.h"
#include "platform/untrusted_side.h"

namespace clemmys::platform {

inline constexpr uid_t kDefaultUntrustedUid = 1999999999;
inline std::optional<uid_t> defaultUntrustedUid() {
  return ::geteuid() == 0 ? std::optional<uid_t>(kDefaultUntrustedUid) : std::nullopt;
}

struct SecureOptions {
  std::string dataDir;
  std::string binDir;        // clemmys-simtee, clemmys-kms, clemmys-gateway, clemmys-runtime
  uint16_t port = 0;         // the gateway's HTTPS port; 0: a free one
  std::string session = "dev";
  int64_t memoryBudgetMb = 2048;
  int maxInFlight = 64;
  std::chrono::seconds activationTtl{7 * 24 * 3600};  // the controller's record retention
  std::string runtimePath = "/usr/local/bin:/usr/bin:/bin";  // where python3 and node are found
  std::map<std::string, int> prewarm;
  std::string extraFunctionsYaml;  // see PolicyInputs
  std::string extraSecretsYaml;
  // The uid the controller + invoker process runs as; by default, when we are root,
  // kDefaultUntrustedUid (no passwd entry needed), else our own (nullopt).
  std::optional<uid_t> untrustedUid = defaultUntrustedUid();
  // Provider mode (doc/deploy.md): no owner key or client credential here; write
  // provider.json and wait for the owner's policy before the untrusted side and
  // the gateway start.
  bool provider = false;
  // Polled while provider mode waits; true stops the wait (platform.stopped).
  std::function<bool()> stopRequested;
};

class SecurePlatform {
 public:
  // Progress lines go to `progress`. Errors: platform.*, simtee.*, kmsclient.*,
  // kms.*, policy.*, store.*, http.*, invoker.*.
  static Result<std::unique_ptr<SecurePlatform>> start(const SecureOptions& options,
                                                       std::ostream& progress);
  ~SecurePlatform();  // stop()
  // Gateway, controller + invoker, KMS, simtee, in that order. Idempotent.
  void stop();
  // Restarts a part that has ended (doc/secure-mode.md, "Supervision"): the gateway,
  // the KMS, or controller + invoker on their own; after the simtee, every part (its
  // launches die with it). Backoff 0.5 s doubling to 30 s per part, reset after a
  // minute up; every event is a line on `progress`. Call it periodically from the
  // thread that called start().
  void supervise(std::ostream& progress);

  std::string apiHost() const { return "https://127.0.0.1:" + std::to_string(gatewayPort_); }
  const std::string& clientAuth() const { return clientAuth_; }
  std::string caCertPath() const { return options_.dataDir + "/session-ca.pem"; }
  std::string wskpropsPath() const { return options_.dataDir + "/wskprops"; }
  std::string providerInfoPath() const { return options_.dataDir + "/provider.json"; }
  uint16_t controllerPort() const { return untrusted_->port(); }
  std::string controllerAuth() const { return untrusted_->auth(); }
  pid_t untrustedPid() const { return untrusted_ ? untrusted_->pid() : -1; }
  // Outside the simtee's 0700 state directory, so the untrusted uid can reach it.
  std::string simteeSocket() const { return options_.dataDir + "/simtee.sock"; }
  // The measured roots of the KMS and the gateway (doc/secure-mode.md).
  std::string kmsRootfs() const { return options_.dataDir + "/kms-rootfs.manifest"; }
  std::string gatewayRootfs() const { return options_.dataDir + "/gateway-rootfs.manifest"; }
  const std::string& runtimeMeasurement() const { return runtimeMeasurement_; }
  const std::string& policyHash() const { return policyHash_; }
  bool policyChanged() const { return policyChanged_; }
  const std::string& kmsUrl() const { return kmsUrl_; }

 private:
  explicit SecurePlatform(SecureOptions options) : options_(std::move(options)) {}
  Status startSimtee(std::ostream& progress);
  Status startKms(std::ostream& progress);
  // Launches the KMS on `listenFd` (closed here) and checks its evidence against
  // kmsMeasurement_. Returns its certificate (PEM).
  Result<std::string> launchKms(int listenFd);
  Status choosePorts();
  Status measureServices();
  Status applyDevPolicy(std::ostream& progress);
  Status writeProviderFiles(std::ostream& progress);
  Status waitForOwnerPolicy(std::ostream& progress);
  Status fetchSessionCa();
  // <data>/services/*.json: the same launches for services run alone (service_runner.h).
  Status writeServiceConfigs();
  Status startUntrusted(std::ostream& progress);
  Status startGateway(std::ostream& progress);
  std::vector<std::string> runtimeArgs() const;
  std::string launcherDir() const;
  std::vector<std::string> gatewayArgv() const;
  Result<http::Client> kmsClient() const;  // pinned to the verified KMS

  SecureOptions options_;
  SystemClock clock_;
  SystemRandom random_;
  Child simtee_;
  std::unique_ptr<TrustedProcess> kms_;
  std::unique_ptr<TrustedProcess> gateway_;
  std::unique_ptr<UntrustedSide> untrusted_;  // controller + invoker, a process of their own
  std::string kmsUrl_, kmsCertPath_, simRoot_, clientAuth_;
  std::string runtimeMeasurement_, gatewayMeasurement_, kmsMeasurement_, policyHash_;
  std::vector<std::string> runtimeArgv_, kmsArgv_;
  RuntimeRootfs rootfs_;
  UntrustedConfig untrustedConfig_;
  bool policyChanged_ = false;
  uint16_t controllerPort_ = 0, gatewayPort_ = 0, kmsPort_ = 0;
  bool stopped_ = false;
  struct Restarts {
    int failures = 0;
    std::chrono::steady_clock::time_point notBefore{}, upSince{};
  };
  Restarts simteeRestarts_, kmsRestarts_, untrustedRestarts_, gatewayRestarts_;
  // One restart attempt of a part; true when it came back.
  bool restart(const char* part, Restarts& r, const std::function<Status()>& attempt, std::ostream& progress);
  Status restartEverything(std::ostream& progress);
  // The KMS again on its port; its certificate must be the pinned one.
  Status relaunchKms();
};

}  // namespace clemmys::platform
