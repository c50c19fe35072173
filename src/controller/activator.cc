#include "controller/activator.h"

#include "common/log.h"
#include "controller/messages.h"

namespace clemmys::controller {

json::value mergeParams(const json::object& defaults, json::value input) {
  if (!input.is_object()) return input;
  if (defaults.empty()) return input;
  json::object merged = defaults;
  for (auto& [k, v] : input.as_object()) merged[k] = std::move(v);
  return merged;
}

std::optional<Outcome> Activation::waitFor(int64_t timeoutMs) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] { return outcome_.has_value(); });
  return outcome_;
}

Activator::Activator(store::Store& store, ActionRegistry& registry, invoker::Invoker& invoker,
                     Clock& clock, Random& random, int maxInFlightPerNamespace,
                     size_t poolThreads)
    : store_(store),
      registry_(registry),
      invoker_(invoker),
      clock_(clock),
      random_(random),
      maxInFlight_(maxInFlightPerNamespace),
      pool_(poolThreads) {}

Activator::~Activator() { stop(); }

void Activator::stop() { pool_.stop(); }

Result<std::shared_ptr<Activation>> Activator::admit(InvokeRequest request) {
  const std::string& ns = request.meta.ns;
  {
    std::lock_guard lock(inFlightMu_);
    int& n = inFlight_[ns];
    if (n >= maxInFlight_)
      return fail("controller.throttled", msg::tooManyConcurrent(n + 1, maxInFlight_));
    ++n;
  }
  json::object skeleton = recordSkeleton(*request.action, request.meta, clock_.nowMs());
  store::ActivationRow row{request.meta.id, ns, request.action->name.path,
                           skeleton["start"].as_int64(), 0, 0, true, json::serialize(skeleton)};
  row.endMs = row.startMs;
  auto inserted = request.blocking ? store_.insertPendingLater(std::move(row), request.idFromCaller)
                                   : store_.insertPending(row);
  if (!inserted) {
    release(ns);
    if (inserted.error().name == "store.duplicate_id")
      return fail("controller.duplicate_id", msg::kActivationIdInUse);
    return std::unexpected(inserted.error());
  }
  return std::shared_ptr<Activation>(new Activation(std::move(request)));
}

void Activator::start(const std::shared_ptr<Activation>& activation) {
  bool accepted = pool_.submit([this, activation] {
    Outcome outcome = execute(activation->request_);
    release(activation->request_.meta.ns);
    std::lock_guard lock(activation->mu_);
    activation->outcome_ = std::move(outcome);
    activation->cv_.notify_all();
  });
  // Only after stop(): the pending row stays and is recovered as interrupted at the
  // next start, which is exactly what happened to it.
  if (!accepted) release(activation->request_.meta.ns);
}

void Activator::flushRecords() { store_.flush(); }

void Activator::release(const std::string& ns) {
  std::lock_guard lock(inFlightMu_);
  --inFlight_[ns];
}

Outcome Activator::execute(const InvokeRequest& r) {
  const ActionEntity& action = *r.action;
  json::value params = mergeParams(action.defaultParams, json::value(r.body));
  Outcome out = action.isSequence() ? runSequence(action, std::move(params), r.meta,
                                                  r.transactionId, r.apiKey)
                                    : runAtomic(action, std::move(params), r.meta,
                                                r.transactionId, r.apiKey);
  record(r.meta, action.name, out);
  return out;
}

void Activator::record(const ActivationMeta& meta, const QualifiedName& name,
                       const Outcome& outcome) {
  const json::object& rec = outcome.record;
  store::ActivationRow row{meta.id,
                           meta.ns,
                           name.path,
                           rec.at("start").as_int64(),
                           rec.at("end").as_int64(),
                           outcome.statusCode,
                           false,
                           json::serialize(rec)};
  // Write-behind: the outcome is in memory for the caller; a crash before the
  // commit leaves the pending row, which then reads as interrupted (store.h).
  store_.completeActivationLater(std::move(row));
}

Outcome Activator::runAtomic(const ActionEntity& action, json::value params,
                             const ActivationMeta& meta, const std::string& txid,
                             const std::string& apiKey) {
  int64_t now = clock_.nowMs();
  invoker::RunRequest req;
  req.action = action.code;
  req.params = std::move(params);
  req.activationId = meta.id;
  req.transactionId = txid;
  req.deadlineMs = now + action.code.limits.timeoutMs;
  if (action.provideApiKey) req.apiKey = apiKey;
  invoker::RunResult run = invoker_.run(req);
  Outcome out;
  out.record = recordSkeleton(action, meta, now);
  completeAtomicRecord(out.record, action, meta, run);
  out.statusCode = static_cast<int>(run.status);
  return out;
}

Outcome Activator::runComponent(const ActionEntity& action, json::value input,
                                const ActivationMeta& parent, const std::string& txid,
                                const std::string& apiKey) {
  ActivationMeta meta{newActivationId(), parent.ns, parent.subject, parent.id};
  json::value params = mergeParams(action.defaultParams, std::move(input));
  // No pending row: pending rows are invisible to the API and only a crash makes them
  // records, and after a crash nothing names this component (only the parent's
  // complete record does, and the parent then reads as interrupted). store-schema.md.
  Outcome out = action.isSequence() ? runSequence(action, std::move(params), meta, txid, apiKey)
                                    : runAtomic(action, std::move(params), meta, txid, apiKey);
  record(meta, action.name, out);
  return out;
}

Outcome Activator::runSequence(const ActionEntity& seq, json::value input,
                               const ActivationMeta& meta, const std::string& txid,
                               const std::string& apiKey) {
  int64_t start = clock_.nowMs();
  json::array ids;
  int64_t durationSum = 0;
  int64_t waitTime = 0;
  int maxMemory = 0;
  int status = 0;
  json::object response = responseJson(0, json::object());
  json::value current = std::move(input);

  auto count = registry_.countAtomicActions(seq.components, seq.name.fqn());
  if (!count) {
    status = count.error().name.starts_with("store.") ? 3 : 1;
    response = responseJson(status, json::object{{"error", count.error().name.starts_with("store.")
                                                               ? msg::kSequenceFailed
                                                               : count.error().message}});
  }
  for (size_t i = 0; count && i < seq.components.size(); ++i) {
    auto component = registry_.find(seq.components[i]);
    if (!component || !*component) {
      status = component ? 1 : 3;
      response = responseJson(status, json::object{{"error", component
                                                                  ? msg::kSequenceComponentMissing
                                                                  : msg::kSequenceFailed}});
      break;
    }
    maxMemory = std::max(maxMemory, (*component)->code.limits.memoryMb);
    Outcome step = runComponent(**component, std::move(current), meta, txid, apiKey);
    ids.push_back(step.record.at("activationId"));
    durationSum += step.record.at("duration").as_int64();
    if (i == 0)
      for (auto& a : step.record.at("annotations").as_array())
        if (a.at("key") == "waitTime") waitTime = a.at("value").to_number<int64_t>();
    response = std::move(step.record.at("response").as_object());
    status = step.statusCode;
    if (status != 0 || holdsError(response.at("result"))) break;
    current = response.at("result");
  }

  Outcome out;
  out.statusCode = status;
  json::object& r = out.record;
  r = recordSkeleton(seq, meta, start);
  int64_t end = clock_.nowMs();
  r["end"] = end;
  r["duration"] = durationSum;
  r["response"] = std::move(response);
  r["logs"] = std::move(ids);
  invoker::ActionLimits limits = seq.code.limits;
  if (maxMemory > 0) limits.memoryMb = maxMemory;
  json::array ann;
  if (!meta.cause) ann.push_back(json::object{{"key", "topmost"}, {"value", true}});
  ann.push_back(json::object{{"key", "path"}, {"value", seq.name.ns + "/" + seq.name.path}});
  ann.push_back(json::object{{"key", "waitTime"}, {"value", waitTime}});
  ann.push_back(json::object{{"key", "kind"}, {"value", "sequence"}});
  ann.push_back(json::object{{"key", "limits"},
                             {"value", json::object{{"timeout", limits.timeoutMs},
                                                    {"memory", limits.memoryMb},
                                                    {"logs", limits.logsMb},
                                                    {"concurrency", limits.concurrency}}}});
  if (meta.cause) ann.push_back(json::object{{"key", "causedBy"}, {"value", "sequence"}});
  r["annotations"] = std::move(ann);
  return out;
}

}  // namespace clemmys::controller
