// Actions of all namespaces: CRUD over the store with an in-memory cache of parsed
// entities for the invoke path, and the sequence checks OpenWhisk makes at create.
// Thread safety: all methods are thread-safe. Reads take a shared lock on the cache;
// writes (PUT/DELETE) are serialised so that check-then-write is atomic.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "controller/action_doc.h"
#include "store/store.h"

namespace clemmys::controller {

class ActionRegistry {
 public:
  ActionRegistry(store::Store& store, Clock& clock, Random& random)
      : store_(store), clock_(clock), random_(random) {}

  // The action, or nullptr when it does not exist.
  Result<std::shared_ptr<const ActionEntity>> find(const QualifiedName& name);

  // Creates or (with overwrite) updates. Errors: "controller.bad_request" (400, message
  // for the client), "controller.exists" (409), "store.*" (500). Nothing is written
  // on error.
  Result<json::object> put(const QualifiedName& name, const json::value& body, bool overwrite);
  // The deleted document, or empty when it did not exist.
  Result<std::optional<json::object>> remove(const QualifiedName& name);
  Result<json::array> list(const std::string& ns, int limit, int skip);
  Result<int64_t> count(const std::string& ns);

  // Counts the atomic actions reachable from `components`, through nested sequences.
  // Errors (message = OpenWhisk's text): "controller.sequence_cyclic" when `selfFqn`
  // is reached, "controller.sequence_missing", "controller.sequence_too_long" (> 50).
  Result<int> countAtomicActions(const std::vector<QualifiedName>& components,
                                 const std::string& selfFqn);

 private:
  Result<int> countFrom(const std::vector<QualifiedName>& components, const std::string& selfFqn,
                        int depth, int& visited);

  store::Store& store_;
  Clock& clock_;
  Random& random_;
  std::mutex writeMu_;
  std::shared_mutex cacheMu_;
  std::atomic<uint64_t> generation_{0};  // bumped by every write, under cacheMu_
  std::unordered_map<std::string, std::shared_ptr<const ActionEntity>> cache_;  // by fqn
};

}  // namespace clemmys::controller
