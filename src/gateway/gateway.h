// Gateway: the client-facing OpenWhisk REST API of a secure deployment
// (doc/gateway.md). It authenticates clients with the released credentials,
// seals action code, default parameters and invocation arguments before they
// reach the controller, and opens results, errors and logs on the way back,
// applying the gateway checks (G1–G7 of doc/formats/envelope.md) to every
// outcome. Everything the gateway cannot vouch for is refused with a named
// error ("502 {"error": "gateway.chain_mismatch: ..."}"), never passed on.
// Thread safety: handle() is called concurrently from server threads; state is
// the ledger and the descriptor cache, both internally locked.
#pragma once

#include <boost/json/object.hpp>

#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "envelope/checks.h"
#include "gateway/chain_resolver.h"
#include "gateway/upstream.h"
#include "http/message.h"

namespace clemmys::gateway {

inline constexpr size_t kMaxPlaintextBody = 1 << 20;  // OpenWhisk's 1 MiB

struct GatewayOptions {
  std::vector<std::string> clientCredentials;  // "uuid:key"
  uint32_t keyVersion = 0;                     // for sealing
  // Every INVOKE expires this long after issue: the session's message lifetime
  // (policy), never the actions' limits.timeout, which the controller reports.
  int64_t messageLifetimeMs = 300000;
};

class Gateway {
 public:
  // REQUIRES: keys, controller, clock and random outlive the gateway.
  Gateway(GatewayOptions options, const envelope::KeyRing& keys, Upstream& controller, const Clock& clock,
          Random& random);

  http::Response handle(http::Request& request);
  // The 413 the server sends for a body over kMaxPlaintextBody.
  http::Response tooLarge(uint64_t length, size_t limit);

 private:
  struct Route {
    std::string ns;          // as the client wrote it ("_" allowed)
    std::string collection;  // "actions", "activations", ...
    std::string rest;        // name ("pkg/name"), activation id[/result|/logs], or ""
  };
  bool authorized(const http::Request& request) const;
  http::Response error(int status, const std::string& message);
  http::Response refusal(const Error& e, int status = 502);
  http::Response passthrough(const http::Response& upstream);
  http::Response health();
  http::Response forward(const http::Request& request);
  Result<std::string> resolveNamespace(const std::string& ns, std::optional<http::Response>& upstreamFailure);

  http::Response putAction(const http::Request& request, const Route& route);
  http::Response getAction(const http::Request& request, const Route& route);
  http::Response documentReply(const http::Response& upstream);
  http::Response deleteAction(const http::Request& request, const Route& route);
  http::Response listActions(const http::Request& request);
  http::Response invoke(const http::Request& request, const Route& route);
  Result<http::Response> mapOutcome(const http::Request& request, const http::Response& upstream,
                                    const envelope::Id& id);
  // `body` with the upstream's status and activation id header.
  static http::Response respond(const http::Response& upstream, const boost::json::value& body);
  http::Response activations(const http::Request& request, const Route& route);
  Result<boost::json::object> fetchRecord(const std::string& ns, const std::string& id,
                                          std::optional<http::Response>& upstreamFailure);
  Status openRecord(boost::json::object& record, const std::string& ns);

  GatewayOptions options_;
  const envelope::KeyRing& keys_;
  Upstream& controller_;
  const Clock& clock_;
  Random& random_;
  envelope::GatewayLedger ledger_;
  ChainResolver resolver_;
  std::mutex nsMutex_;
  std::string namespace_;  // the controller's namespace for our credentials, once learnt
};

}  // namespace clemmys::gateway
