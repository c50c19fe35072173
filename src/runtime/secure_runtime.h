// Assembles secure mode for clemmys-runtime: reads the pinned KMS certificate,
// attests (service "runtime") through the chosen attester, loads the session's keys,
// takes over stdout/stderr for sealed logs, and serves through SecureProxy.
// Thread safety: handle() as SecureProxy; start() once, from main.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "runtime/action_proxy.h"
#include "runtime/kms_key_source.h"
#include "runtime/log_sealer.h"
#include "runtime/private_files.h"
#include "runtime/secure_proxy.h"

namespace clemmys::runtime {

struct SecureOptions {
  bool enabled = false;
  std::string kmsUrl;                // https://host:port
  std::string kmsCert;               // PEM file, or the PEM itself
  std::string session;
  std::string attester = "sim";      // sim | sgx | tdx | snp (tee::makeAttester), as for the gateway
  std::string collateralDir;         // the host's collateral cache (doc/formats/collateral-cache.md); "" none
  PrivateFiles files;                // prepared by main while single-threaded
};

class SecureRuntime {
 public:
  // `proxy` must have been built with an empty sentinel (the log sealer writes it).
  // Errors: runtime.bad_kms_cert, kmsclient.*, tee.*, the KMS's kms.*/attest.*
  // refusal, runtime.bad_config, runtime.log_pipe.
  static Result<std::unique_ptr<SecureRuntime>> start(SecureOptions options, ActionProxy& proxy,
                                                      const Clock& clock, Random& random);
  http::Response handle(const http::Request& request) { return proxy_->handle(request); }
  ~SecureRuntime();

 private:
  SecureRuntime() = default;
  SecureOptions options_;
  std::unique_ptr<KmsKeySource> kms_;
  envelope::KeyRing keys_;
  std::unique_ptr<LogSealer> logs_;
  std::unique_ptr<SecureProxy> proxy_;
};

}  // namespace clemmys::runtime
