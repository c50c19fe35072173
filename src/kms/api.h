// KmsApi: the HTTP routes of clemmys-kms (doc/formats/kms-api.md) over
// SessionManager, NonceRegistry and Releaser. Errors are JSON
// {"error": "<name>", "message": "..."} with a status chosen per error family.
// Every request first passes its peer's rate limit (PeerLimiter, keyed by the
// source IP address), and challenges count against the peer's share of nonces.
// Thread safety: handle() is called concurrently by the server's threads.
#pragma once

#include <string>

#include "http/message.h"
#include "kms/peer_limits.h"
#include "kms/release.h"

namespace clemmys::kms {

struct KmsIdentity {
  std::string evidenceType;  // "sim", "sgx", ...
  std::string evidence;      // raw bytes
  std::string certificatePem;
};

class KmsApi {
 public:
  KmsApi(SessionManager& sessions, NonceRegistry& nonces, Releaser& releaser, PeerLimiter& limiter,
         KmsIdentity identity);
  http::Response handle(http::Request& request);

 private:
  http::Response route(http::Request& request, const std::string& peer);

  SessionManager& sessions_;
  NonceRegistry& nonces_;
  Releaser& releaser_;
  PeerLimiter& limiter_;
  KmsIdentity identity_;
};

// HTTP status for a named error (exposed for tests).
int statusFor(const Error& error);

}  // namespace clemmys::kms
