// ChainResolver: the chain an invoke runs, from the sealed DESCRIPTORs the
// controller stores (nested sequences flattened, DESIGN.md §3 step 4). The
// controller only stores the descriptors; it cannot forge or alter one, but it
// can withhold or swap whole descriptors, which the fqn checks in
// descriptorOf catch (a descriptor must be sealed for the action it sits on).
// Descriptors are cached; the gateway clears the cache on its own PUT/DELETE.
// Thread safety: safe for concurrent callers.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "envelope/chain.h"
#include "gateway/action_codec.h"
#include "gateway/upstream.h"
#include "http/message.h"

namespace clemmys::gateway {

// Only the sealed descriptors decide: nothing of the controller's plaintext metadata
// (limits.timeout included) reaches the INVOKE the gateway issues.
struct ResolvedChain {
  envelope::ChainSpec chain;
};

// "/api/v1/namespaces/<ns>/actions/<pkg>/<name>" for an fqn "/ns/[pkg/]name".
std::string actionTarget(std::string_view fqn);

class ChainResolver {
 public:
  ChainResolver(Upstream& controller, const envelope::KeyRing& keys) : controller_(controller), keys_(keys) {}

  // When the controller refuses the top-level lookup (404, 403, ...) its
  // response is put in `upstreamFailure` for the client, and an error returned.
  // Errors: gateway.component_missing, gateway.sequence_cycle,
  // gateway.chain_too_long, gateway.not_sealed, envelope.*, http.*.
  Result<ResolvedChain> resolve(const std::string& fqn, std::optional<http::Response>& upstreamFailure);
  void invalidate();

 private:
  struct Entry {
    Descriptor descriptor;
  };
  Result<Entry> lookup(const std::string& fqn, std::optional<http::Response>* upstreamFailure);
  Status flatten(const std::string& fqn, std::set<std::string>& active, ResolvedChain& out, int depth);

  Upstream& controller_;
  const envelope::KeyRing& keys_;
  std::mutex mutex_;
  std::map<std::string, Entry> cache_;
};

}  // namespace clemmys::gateway
