// KmsService: wires a running clemmys-kms together — sealed store, session
// manager, nonce registry, verifiers, audit log, its own TLS identity bound
// into its TEE evidence, and the HTTPS server. main() builds the TEE objects
// and passes them in, so tests can run the same wiring.
// Thread safety: start() once; port()/stop() from the owning thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "http/server.h"
#include "kms/api.h"
#include "kms/audit_log.h"
#include "kms/peer_limits.h"
#include "kms/sealed_store.h"
#include "tee/attester.h"

namespace clemmys::kms {

struct ServiceOptions {
  std::string stateDir;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::optional<int> listenFd;
  // The sim root certificate (PEM) to accept sim evidence with; none: sim refused.
  std::optional<std::string> simRootPem;
  int64_t nonceTtlMs = 60'000;
  size_t maxNoncesPerPeer = 1024;
  PeerLimits peerLimits;  // per source address, every route (doc/kms.md, "Security notes")
};

struct ServiceDeps {
  tee::PlatformServices& platform;
  tee::Attester& attester;
  const Clock& clock;
  Random& random;
};

class KmsService {
 public:
  // Errors: kms.store_* (including kms.store_rollback), kms.audit_*, tee.*,
  // simtee.*, http.*, crypto.*.
  static Result<std::unique_ptr<KmsService>> start(const ServiceOptions& options, ServiceDeps deps);
  ~KmsService();

  uint16_t port() const;
  const std::string& certificatePem() const { return identity_.certificatePem; }
  void stop();

 private:
  KmsService() = default;

  std::unique_ptr<SealedStore> store_;
  std::unique_ptr<SessionManager> sessions_;
  std::unique_ptr<NonceRegistry> nonces_;
  std::unique_ptr<PeerLimiter> limiter_;
  VerifierMap verifiers_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Releaser> releaser_;
  KmsIdentity identity_;
  std::unique_ptr<KmsApi> api_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace clemmys::kms
