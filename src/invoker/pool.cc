// The activation path of the pool: acquire an instance (warm, prewarmed or a fresh
// memory reservation), cold-start it if needed, /run, classify, collect logs, release.
#include "invoker/pool.h"

#include <algorithm>

#include "common/log.h"
#include "invoker/classify.h"

namespace clemmys::invoker {
namespace {

int64_t elapsedMs(int64_t sinceUs) { return (monotonicUs() - sinceUs) / 1000; }

uint64_t logLimitBytes(const ActionLimits& l) {
  return static_cast<uint64_t>(l.logsMb < 0 ? 0 : l.logsMb) * 1024 * 1024;
}

RunResult failure(RunStatus status, std::string_view message) {
  RunResult r;
  r.status = status;
  r.result = errorResult(message);
  return r;
}

}  // namespace

RunResult Pool::run(const RunRequest& request) {
  int64_t submitUs = monotonicUs();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return failure(RunStatus::internalError, "The invoker is shutting down.");
    ++inflight_;
  }
  struct InflightGuard {
    Pool* pool;
    ~InflightGuard() {
      std::lock_guard lock(pool->mu_);
      if (--pool->inflight_ == 0) pool->inflightCv_.notify_all();
    }
  } guard{this};

  bool cold = false, fromPrewarm = false;
  std::string why;
  SlotPtr slot = acquire(request, cold, fromPrewarm, why);
  if (!slot) {
    RunResult r = failure(RunStatus::internalError, why);
    r.startMs = r.endMs = clock_.nowMs();
    r.waitTimeMs = elapsedMs(submitUs);
    return r;
  }
  if (cold) return coldStart(request, std::move(slot), fromPrewarm, submitUs);
  RunResult result;
  result.waitTimeMs = elapsedMs(submitUs);
  slot->instance->logs().begin(logLimitBytes(request.action.limits));
  return execute(request, slot, std::move(result));
}

Pool::SlotPtr Pool::acquire(const RunRequest& request, bool& cold, bool& fromPrewarm,
                            std::string& why) {
  const ActionCode& a = request.action;
  const int64_t need = a.limits.memoryMb;
  const std::string key = a.fqn + "@" + a.revision;
  if (need > options_.memoryBudgetMb) {
    why = "The action's memory limit of " + std::to_string(need) +
          " MB exceeds the invoker's memory budget of " +
          std::to_string(options_.memoryBudgetMb) + " MB.";
    return nullptr;
  }
  const int64_t deadlineMs =
      request.deadlineMs > 0 ? request.deadlineMs : clock_.nowMs() + a.limits.timeoutMs;

  std::vector<SlotPtr> graveyard;  // destroyed after the lock is released
  std::unique_lock lock(mu_);
  auto markBusy = [&](const SlotPtr& s) {
    s->state = State::busy;
    s->memoryLimitBytes = static_cast<uint64_t>(need) * 1024 * 1024;
    if (busy_++ == 0 && watchdogAwaitsWork_) watchdogCv_.notify_one();
  };
  for (;;) {
    if (stopping_) {
      why = "The invoker is shutting down.";
      return nullptr;
    }
    for (auto& s : slots_) {
      if (s->state == State::idle && s->key == key) {
        markBusy(s);
        ++counters_.warmStarts;
        cold = false;
        return s;
      }
    }
    for (auto& s : slots_) {
      // A prewarmed runtime that died meanwhile (it could not attest: the KMS was
      // down) is left to the maintenance thread, which drops it and logs why.
      if (s->state == State::prewarm && s->instance && s->kind == a.kind &&
          usedMb_ - s->memoryMb + need <= options_.memoryBudgetMb && !s->instance->gone()) {
        usedMb_ += need - s->memoryMb;
        s->memoryMb = need;
        s->key = key;
        markBusy(s);
        ++counters_.prewarmHits;
        ++counters_.coldStarts;
        cold = fromPrewarm = true;
        prewarmTakenAtMs_ = clock_.nowMs();
        maintainCv_.notify_one();  // refill in the background, after prewarmRefillDelay
        return s;
      }
    }
    if (usedMb_ + need <= options_.memoryBudgetMb) {
      auto s = std::make_shared<Slot>();
      s->key = key;
      s->kind = a.kind;
      s->memoryMb = need;
      usedMb_ += need;
      markBusy(s);
      slots_.push_back(s);
      ++counters_.coldStarts;
      cold = true;
      return s;
    }
    // Evict only to give an action its first instance. Scaling out an action that is
    // already running by evicting another action's warm instance makes that one cold
    // next time, which evicts a third: under a full budget the pool would turn every
    // request into a cold start. Such a request waits for its own action's instance.
    bool running = std::any_of(slots_.begin(), slots_.end(),
                               [&](const SlotPtr& s) { return s->state == State::busy && s->key == key; });
    if (!running && evictOneLocked(graveyard)) continue;
    int64_t remaining = deadlineMs - clock_.nowMs();
    if (remaining <= 0) {
      why = "No runtime capacity became free before the activation's deadline (memory budget " +
            std::to_string(options_.memoryBudgetMb) + " MB in use).";
      return nullptr;
    }
    capacityCv_.wait_for(lock, std::chrono::milliseconds(remaining));
  }
}

RunResult Pool::coldStart(const RunRequest& request, SlotPtr slot, bool fromPrewarm,
                          int64_t submitUs) {
  if (!fromPrewarm) {
    auto inst = launch();
    if (!inst) {
      log::error("invoker: runtime launch failed: " + inst.error().str());
      release(slot, true);
      RunResult r = failure(RunStatus::internalError,
                            "Failed to start the action's runtime: " + inst.error().str());
      r.startMs = r.endMs = clock_.nowMs();
      r.waitTimeMs = elapsedMs(submitUs);
      return r;
    }
    std::unique_lock lock(mu_);
    if (stopping_) {
      lock.unlock();
      release(slot, true);
      return failure(RunStatus::internalError, "The invoker is shutting down.");
    }
    slot->instance = std::move(*inst);
  }
  Instance& inst = *slot->instance;
  RunResult result;
  result.waitTimeMs = elapsedMs(submitUs);
  inst.clearLogs();  // output from before /init is not the action's
  inst.logs().begin(logLimitBytes(request.action.limits));

  const ActionLimits& limits = request.action.limits;
  auto initTimeout = std::min(std::chrono::milliseconds(limits.timeoutMs), options_.initTimeout);
  int64_t t0 = monotonicUs();
  int64_t initStartMs = clock_.nowMs();
  CallResult call = inst.init(request, initTimeout);
  result.initTimeMs = elapsedMs(t0);
  if (call.kind == CallResult::Kind::response && call.status == 200 && !inst.killed()) {
    return execute(request, slot, std::move(result));
  }

  // /init failed: developer error unless the platform failed (doc/invoker.md,
  // "Blame"); the instance is discarded.
  result.status = RunStatus::developerError;
  bool lost = false;
  if (call.kind == CallResult::Kind::timeout) {
    result.result = errorResult(timeoutMessage(limits.timeoutMs));
    result.timedOut = true;
  } else if (inst.memoryExceeded()) {
    result.result = errorResult(memoryMessage(limits.memoryMb));
  } else if (call.kind == CallResult::Kind::response && !inst.killed()) {
    Outcome o = classifyInitFailure(call.status, call.body);
    result.status = o.status;
    result.result = std::move(o.result);
  } else {
    result.result = errorResult(abnormalInitMessage());
    lost = !inst.killed();
  }
  {
    std::lock_guard lock(mu_);
    if (result.timedOut) ++counters_.timeouts;
    else if (inst.memoryExceeded()) ++counters_.memoryKills;
  }
  inst.kill();
  inst.awaitLogs(options_.logSentinelWait);
  result.logs = inst.logs().take();
  if (lost) {
    // The runtime died before answering /init: if it said why (it could not
    // attest, say), that is the platform's failure, not the action's.
    auto failure = inst.startFailure() ? inst.startFailure() : startFailureIn(result.logs);
    if (failure) {
      log::warn("invoker: " + request.action.fqn + " runtime failed to start: " + *failure);
      result.status = RunStatus::internalError;
      result.result = errorResult(runtimeStartMessage(*failure));
    }
  }
  result.startMs = initStartMs;
  result.endMs = clock_.nowMs();
  release(slot, true);
  return result;
}

RunResult Pool::execute(const RunRequest& request, const SlotPtr& slot, RunResult result) {
  Instance& inst = *slot->instance;
  const ActionLimits& limits = request.action.limits;
  result.startMs = clock_.nowMs();
  CallResult call = inst.run(request, std::chrono::milliseconds(limits.timeoutMs));
  result.endMs = clock_.nowMs();

  bool discard = false;
  enum { none, timeout, memory, crash } failureKind = none;
  // The runtime stops an action at the activation's deadline itself and answers with
  // an error; the time limit is ours to report, in OpenWhisk's words.
  bool cutAtDeadline = call.kind == CallResult::Kind::response && call.status != 200 &&
                       request.deadlineMs > 0 && result.endMs + 5 >= request.deadlineMs;
  if (call.kind == CallResult::Kind::response && !inst.killed() && !cutAtDeadline) {
    Outcome o = classifyRunResponse(call.status, call.body, options_.maxResultBytes);
    result.status = o.status;
    result.result = std::move(o.result);
    // OpenWhisk destroys a container that reported a developer error.
    discard = o.status == RunStatus::developerError || o.status == RunStatus::internalError;
  } else if ((call.kind == CallResult::Kind::timeout || cutAtDeadline) &&
             !inst.memoryExceeded()) {
    inst.kill();
    failureKind = timeout;
    result.status = RunStatus::developerError;
    result.result = errorResult(timeoutMessage(limits.timeoutMs));
    result.timedOut = true;
    discard = true;
  } else {
    failureKind = inst.memoryExceeded() ? memory : crash;
    if (failureKind == crash) {
      log::warn("invoker: " + request.action.fqn + " instance lost during /run: " + call.body);
    }
    // Only some kinds' functions run inside the runtime's process; for the others
    // the runtime supervises the function's process and answers for it, so a
    // runtime that vanished failed on its own (doc/invoker.md, "Blame").
    const auto& inProcess = options_.inProcessKinds;
    bool runtimeDied = failureKind == crash &&
                       std::find(inProcess.begin(), inProcess.end(), request.action.kind) == inProcess.end();
    result.status = runtimeDied ? RunStatus::internalError : RunStatus::developerError;
    result.result = errorResult(failureKind == memory ? memoryMessage(limits.memoryMb)
                                : runtimeDied         ? runtimeLostMessage()
                                                      : abnormalRunMessage());
    discard = true;
  }
  if (discard) inst.kill();  // EOF on the pipes ends the log wait at once
  inst.awaitLogs(options_.logSentinelWait);
  result.logs = inst.logs().take();
  if (failureKind != none) {
    std::lock_guard lock(mu_);
    if (failureKind == timeout) ++counters_.timeouts;
    else if (failureKind == memory) ++counters_.memoryKills;
    else ++counters_.crashes;
  }
  release(slot, discard);
  return result;
}

void Pool::release(const SlotPtr& slot, bool discard) {
  std::vector<SlotPtr> graveyard;
  std::lock_guard lock(mu_);
  if (slot->state == State::busy) {
    --busy_;
    slot->state = State::idle;
  }
  if (discard || stopping_) {
    removeLocked(slot, graveyard);
  } else {
    slot->lastUsedMs = clock_.nowMs();
    slot->useSeq = ++useCounter_;
  }
  capacityCv_.notify_all();
}

void Pool::removeLocked(const SlotPtr& slot, std::vector<SlotPtr>& graveyard) {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i] != slot) continue;
    usedMb_ -= slot->memoryMb;
    if (slot->instance) slot->instance->kill();
    graveyard.push_back(std::move(slots_[i]));
    slots_[i] = std::move(slots_.back());
    slots_.pop_back();
    return;
  }
}

bool Pool::evictOneLocked(std::vector<SlotPtr>& graveyard) {
  SlotPtr victim;
  for (auto& s : slots_) {
    if (s->state == State::idle && (!victim || s->useSeq < victim->useSeq)) victim = s;
  }
  if (!victim) {  // prewarmed instances go last: they cost a launch to replace
    for (auto& s : slots_) {
      if (s->state == State::prewarm && s->instance) {
        victim = s;
        break;
      }
    }
  }
  if (!victim) return false;
  ++counters_.evictions;
  removeLocked(victim, graveyard);
  return true;
}

}  // namespace clemmys::invoker
