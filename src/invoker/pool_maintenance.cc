// The pool's life cycle and background work: start/stop, launching runtimes, the
// maintenance thread (idle eviction and prewarm refill) and the RSS watchdog.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>

#include "common/log.h"
#include "invoker/pool.h"
#include "invoker/process_memory.h"

namespace clemmys::invoker {
namespace {

// Bounds the /prestart round trip, which waits for the runtime to serve (a secure
// runtime attests first); only the maintenance thread waits for it.
constexpr std::chrono::milliseconds kPrestartTimeout{10000};

// POST /prestart to a new prewarmed python:3 or nodejs:20 runtime, so its interpreter
// boots before the cold start that takes it (doc/invoker.md). A hint: a refusal (an
// OpenWhisk runtime's 404, a 409 after a cold start already sent /init) changes nothing.
void prestartInterpreter(Instance& instance, const std::string& kind) {
  if (!kind.starts_with("python") && !kind.starts_with("nodejs")) return;
  auto r = instance.prestart(kind, kPrestartTimeout);
  if (r.kind != CallResult::Kind::response || r.status != 200) {
    log::debug("invoker: /prestart " + kind + " not taken (status " + std::to_string(r.status) + "): " +
               r.body.substr(0, 200));
  }
}

}  // namespace

Result<std::unique_ptr<Pool>> Pool::start(PoolOptions options, Clock& clock) {
  if (options.runtimeBinary.empty()) return fail("invoker.bad_options", "no runtime binary");
  if (options.memoryBudgetMb < 1) return fail("invoker.bad_options", "memory budget < 1 MB");
  if (options.prewarmMemoryMb < 1) return fail("invoker.bad_options", "prewarm memory < 1 MB");
  std::unique_ptr<Pool> pool(new Pool(std::move(options), clock));
  Pool* self = pool.get();
  pool->maintenance_ = std::thread([self] { self->maintenanceLoop(); });
  pool->watchdog_ = std::thread([self] { self->watchdogLoop(); });
  return pool;
}

Pool::Pool(PoolOptions options, Clock& clock) : options_(std::move(options)), clock_(clock) {
  // The runtime gets a small, explicit environment, not the invoker's own.
  LaunchOptions lo{options_.runtimeBinary, options_.runtimeArgs, {}, options_.simteeSocket, options_.runtimeRootfs};
  bool ownPath = false;
  for (auto& e : options_.runtimeEnv) ownPath = ownPath || e.rfind("PATH=", 0) == 0;
  const char* path = std::getenv("PATH");
  // A secure runtime's interpreters are fixed by its measured argv, not by a PATH.
  if (!ownPath && options_.simteeSocket.empty())
    lo.env.push_back(std::string("PATH=") + (path ? path : "/usr/local/bin:/usr/bin:/bin"));
  lo.env.push_back("LANG=C.UTF-8");
  lo.env.push_back("__OW_API_HOST=" + options_.apiHost);
  for (auto& e : options_.runtimeEnv) lo.env.push_back(e);
  launcher_ = std::make_unique<Launcher>(std::move(lo));
}

Pool::~Pool() { stop(); }

Result<std::shared_ptr<Instance>> Pool::launch() { return launcher_->launch(); }

void Pool::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& s : slots_) {
      if (s->instance) s->instance->kill();  // runs in flight fail fast
    }
  }
  capacityCv_.notify_all();
  maintainCv_.notify_all();
  watchdogCv_.notify_all();
  launcher_->stop();  // queued cold starts fail now
  if (maintenance_.joinable()) maintenance_.join();
  if (watchdog_.joinable()) watchdog_.join();
  std::vector<SlotPtr> graveyard;
  {
    std::unique_lock lock(mu_);
    inflightCv_.wait(lock, [&] { return inflight_ == 0; });
    graveyard = std::move(slots_);
    slots_.clear();
    usedMb_ = 0;
  }
  graveyard.clear();  // kills and reaps every process
}

Pool::Stats Pool::stats() const {
  std::lock_guard lock(mu_);
  Stats s = counters_;
  s.usedMemoryMb = usedMb_;
  for (auto& slot : slots_) {
    ++s.instances;
    if (slot->state == State::idle) ++s.idle;
    else if (slot->state == State::busy) ++s.busy;
    else if (slot->instance) ++s.prewarmed;
  }
  return s;
}

void Pool::maintenanceLoop() {
  auto tick = std::clamp(options_.idleEviction / 4, std::chrono::milliseconds(10),
                         std::chrono::milliseconds(1000));
  int64_t prewarmBackoffUntilMs = 0;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    std::vector<SlotPtr> graveyard;
    const int64_t now = clock_.nowMs();
    for (size_t i = 0; i < slots_.size();) {
      auto s = slots_[i];
      if (s->state == State::idle && now - s->lastUsedMs >= options_.idleEviction.count()) {
        ++counters_.evictions;
        removeLocked(s, graveyard);  // swaps the last slot into i
      } else if (s->state == State::prewarm && s->instance && s->instance->gone()) {
        // Died before use (e.g. its attestation failed while the KMS was down):
        // dropped, and the refill waits a moment instead of relaunching at once.
        s->instance->clearLogs();
        auto why = s->instance->startFailure();
        log::warn("invoker: prewarmed " + s->kind + " runtime ended before use" + (why ? ": " + *why : ""));
        prewarmBackoffUntilMs = now + 1000;
        removeLocked(s, graveyard);
      } else {
        ++i;
      }
    }
    SlotPtr placeholder;
    int64_t refillAtMs = std::max(prewarmBackoffUntilMs, prewarmTakenAtMs_ + options_.prewarmRefillDelay.count());
    if (now >= refillAtMs) {
      for (auto& [kind, want] : options_.prewarm) {
        int have = 0;
        for (auto& s : slots_) have += s->state == State::prewarm && s->kind == kind;
        if (have < want && usedMb_ + options_.prewarmMemoryMb <= options_.memoryBudgetMb) {
          placeholder = std::make_shared<Slot>();
          placeholder->kind = kind;
          placeholder->memoryMb = options_.prewarmMemoryMb;
          usedMb_ += placeholder->memoryMb;
          slots_.push_back(placeholder);
          break;
        }
      }
    }
    if (!graveyard.empty() || placeholder) {
      lock.unlock();
      graveyard.clear();
      Result<std::shared_ptr<Instance>> inst = placeholder ? launch() : nullptr;
      lock.lock();
      if (placeholder) {
        bool stillThere = std::find(slots_.begin(), slots_.end(), placeholder) != slots_.end();
        if (inst && stillThere && !stopping_) {
          placeholder->instance = *inst;
          capacityCv_.notify_all();
          // Published first: a cold start may take it meanwhile (the runtime then
          // refuses the late /prestart). Our reference is dropped before relocking.
          std::shared_ptr<Instance> fresh = std::move(*inst);
          std::string kind = placeholder->kind;
          lock.unlock();
          prestartInterpreter(*fresh, kind);
          fresh.reset();
          lock.lock();
        } else {
          if (!inst) {
            log::error("invoker: prewarm launch failed: " + inst.error().str());
            prewarmBackoffUntilMs = clock_.nowMs() + 1000;
          }
          removeLocked(placeholder, graveyard);
          lock.unlock();
          graveyard.clear();
          inst = nullptr;
          lock.lock();
        }
      }
      continue;
    }
    auto wait = tick;
    if (refillAtMs > now) wait = std::min(wait, std::chrono::milliseconds(refillAtMs - now));
    maintainCv_.wait_for(lock, wait);
  }
}

void Pool::watchdogLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (busy_ == 0) {
      watchdogAwaitsWork_ = true;
      watchdogCv_.wait(lock, [&] { return stopping_ || busy_ > 0; });
      watchdogAwaitsWork_ = false;
      // First scan one interval after work began: a scan at once (a /proc walk per
      // instance) would run on every idle→busy edge, i.e. per request under
      // sequential load, while runs shorter than the interval need no check.
      watchdogCv_.wait_for(lock, options_.watchdogInterval, [&] { return stopping_; });
      continue;
    }
    std::vector<std::pair<std::shared_ptr<Instance>, uint64_t>> watched;
    for (auto& s : slots_) {
      if (s->state == State::busy && s->instance) watched.emplace_back(s->instance, s->memoryLimitBytes);
    }
    lock.unlock();
    for (auto& [inst, limit] : watched) {
      if (inst->killed()) continue;
      auto rss = treeMemoryBytes(inst->pid());
      if (rss && *rss > limit) {
        inst->markMemoryExceeded();
        inst->kill();
      }
    }
    watched.clear();  // may destroy an instance released meanwhile: outside the lock
    lock.lock();
    watchdogCv_.wait_for(lock, options_.watchdogInterval, [&] { return stopping_; });
  }
}

}  // namespace clemmys::invoker
