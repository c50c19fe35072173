// Runs activations: admission (per-namespace in-flight limit, pending row), the call
// into the invoker for atomic actions, the sequence engine, and recording.
// Every admitted activation ends with a complete record in the store and releases
// its in-flight slot, whether its HTTP request is still waiting or not.
// Thread safety: all methods are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "common/random.h"
#include "controller/action_registry.h"
#include "controller/activation_record.h"
#include "controller/worker_pool.h"
#include "invoker/invoker.h"
#include "store/store.h"

namespace clemmys::controller {

struct Outcome {
  json::object record;
  int statusCode = 3;
};

struct InvokeRequest {
  std::shared_ptr<const ActionEntity> action;
  json::object body;  // invocation arguments (override the action's parameters)
  ActivationMeta meta;
  std::string transactionId;
  std::string apiKey;  // the caller's "uuid:key", passed only with provide-api-key
  // A blocking invoke's client learns the id only with the outcome (or a 202 after
  // the wait, which flushes first): its pending row is written behind.
  bool blocking = false;
  bool idFromCaller = false;  // X-Clemmys-Activation-Id: checked against stored ids
};

// An admitted activation. The result is published once; waiters may give up early.
class Activation {
 public:
  const std::string& id() const { return request_.meta.id; }
  // Waits up to timeoutMs; empty when still running.
  std::optional<Outcome> waitFor(int64_t timeoutMs);

 private:
  friend class Activator;
  explicit Activation(InvokeRequest r) : request_(std::move(r)) {}
  InvokeRequest request_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Outcome> outcome_;
};

class Activator {
 public:
  Activator(store::Store& store, ActionRegistry& registry, invoker::Invoker& invoker,
            Clock& clock, Random& random, int maxInFlightPerNamespace, size_t poolThreads);
  ~Activator();

  // Takes an in-flight slot and writes the pending row (queued for a blocking
  // invoke, doc/formats/store-schema.md). Errors:
  // "controller.throttled" (429, message for the client), "controller.duplicate_id"
  // (409), "store.*" (500).
  Result<std::shared_ptr<Activation>> admit(InvokeRequest request);
  // Runs an admitted activation on the worker pool.
  void start(const std::shared_ptr<Activation>& activation);
  // Finishes running work and refuses new work.
  void stop();

  std::string newActivationId() { return random_.hex(16); }
  // Commits every queued record write, e.g. the pending row of a blocking invoke
  // that is about to answer 202 with its id.
  void flushRecords();

 private:
  Outcome execute(const InvokeRequest& r);
  Outcome runAtomic(const ActionEntity& action, json::value params, const ActivationMeta& meta,
                    const std::string& txid, const std::string& apiKey);
  Outcome runSequence(const ActionEntity& seq, json::value input, const ActivationMeta& meta,
                      const std::string& txid, const std::string& apiKey);
  Outcome runComponent(const ActionEntity& action, json::value input, const ActivationMeta& parent,
                       const std::string& txid, const std::string& apiKey);
  void record(const ActivationMeta& meta, const QualifiedName& name, const Outcome& outcome);
  void release(const std::string& ns);

  store::Store& store_;
  ActionRegistry& registry_;
  invoker::Invoker& invoker_;
  Clock& clock_;
  Random& random_;
  const int maxInFlight_;
  std::mutex inFlightMu_;
  std::unordered_map<std::string, int> inFlight_;
  WorkerPool pool_;
};

// Merges the action's parameters with the invocation body (body wins). Arrays
// pass through unchanged, as OpenWhisk passes array results between sequence steps.
json::value mergeParams(const json::object& defaults, json::value input);

}  // namespace clemmys::controller
