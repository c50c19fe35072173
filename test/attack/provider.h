// The malicious provider, built from the real, unmodified production binaries:
// secure `clemmys up` in a temp data directory (simtee, verified KMS, controller +
// invoker, its own gateway), plus — staged the way an owner and a host could do
// it without any test switch in production code —
//  * a second attested gateway launched through the same simtee with
//    `--controller http://127.0.0.1:<proxy>`: its measurement is computed with
//    `clemmys-simtee measure` and added to the `dev` policy by a signed update
//    made with the owner key in <data>/owner/ (the owner agrees to run a gateway
//    whose controller is the intercepting proxy; the proxy is untrusted anyway);
//  * the intercepting proxy (intercept_proxy.h) between that gateway and the
//    real controller;
//  * stop/start of the platform around direct edits of the controller's SQLite
//    database (the running controller caches actions it has read);
//  * runtimes launched by the test through the simtee exactly as the invoker
//    launches them (same argv, so the same measurement the policy accepts), for
//    direct calls.
//
// Thread safety: one test thread drives a Provider; the proxy is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "http/client.h"
#include "intercept_proxy.h"
#include "platform/trusted_process.h"
#include "up_process.h"

namespace clemmys::attack {

struct ProviderOptions {
  // Lines indented by 2 added under `functions:` of the policy update (pins).
  std::string extraFunctionsYaml;
  // Top-level lines of the policy update (e.g. "message_lifetime_s: 30\n").
  std::string sessionYaml;
};

class Provider {
 public:
  static Result<std::unique_ptr<Provider>> start(const ProviderOptions& options);
  ~Provider();  // stops every process it started, removes the data directory

  // Client calls through the attested gateway that sits behind the proxy
  // (HTTPS, session CA pinned, the client credentials from wskprops).
  Result<http::Response> call(const std::string& method, const std::string& target,
                              const std::string& body = "");
  Result<http::Response> callAs(const std::string& authHeader, const std::string& method,
                                const std::string& target, const std::string& body = "");
  // The untrusted controller's own REST API (its credentials are in its database).
  Result<http::Response> controllerCall(const std::string& method, const std::string& target,
                                        const std::string& body = "");

  InterceptProxy& proxy() { return *proxy_; }
  const std::string& dataDir() const { return dir_; }
  std::string databasePath() const { return dir_ + "/controller/clemmys.db"; }

  // Stops gateway, own runtimes and `clemmys up` (the database is then unlocked);
  // startPlatform() brings everything back on the same ports and policy.
  Status stopPlatform();
  Status startPlatform();

  // A runtime launched through the simtee as the invoker does; returns its port.
  Result<uint16_t> launchRuntime();

 private:
  Provider() = default;
  Status applyPolicyUpdate(const ProviderOptions& options);
  Status launchGateway();
  std::vector<std::string> gatewayArgv() const;

  std::string dir_, binDir_, kmsUrl_, controllerAuth_, clientAuthHeader_, caPem_;
  uint16_t controllerPort_ = 0, gatewayPort_ = 0;
  std::unique_ptr<clemmys::testing::UpProcess> up_;
  std::unique_ptr<InterceptProxy> proxy_;
  std::unique_ptr<platform::TrustedProcess> gateway_;
  std::vector<std::unique_ptr<platform::TrustedProcess>> runtimes_;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<http::Client> controllerClient_;
};

}  // namespace clemmys::attack
