// The invoker: a pool of clemmys-runtime processes, one activation at a time each,
// with OpenWhisk's warm/cold/prewarm semantics, a memory budget, timeouts, an RSS
// watchdog for memory limits, idle eviction and per-activation log capture.
// See doc/invoker.md for the design.
//
// Thread safety: run() and stats() may be called concurrently from any number of
// threads. stop() is idempotent; runs in flight when stop() is called fail fast
// (their processes are killed) and stop() returns only after they have returned.
// REQUIRES: no run() is started after stop() returned (it would fail at once with an
// internal error, which is safe but pointless).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "invoker/instance.h"
#include "invoker/invoker.h"
#include "invoker/launcher.h"

namespace clemmys::invoker {

struct PoolOptions {
  std::string runtimeBinary;             // path to clemmys-runtime
  std::vector<std::string> runtimeArgs;  // extra args (e.g. --launcher-dir)
  std::string apiHost;                   // exported as __OW_API_HOST
  // Extra "K=V" for every runtime; a PATH here replaces ours (plain mode). In secure
  // mode the simtee refuses any variable off its allow-list (doc/simtee.md).
  std::vector<std::string> runtimeEnv;
  int64_t memoryBudgetMb = 2048;         // sum of live instances' memory limits
  std::chrono::milliseconds idleEviction{600000};
  std::map<std::string, int> prewarm;    // kind → number of prewarmed instances
  int prewarmMemoryMb = 256;             // budget charged for a prewarmed instance
  std::chrono::milliseconds watchdogInterval{20};  // RSS polling while busy
  std::chrono::milliseconds logSentinelWait{300};  // after /run, for both sentinels
  std::chrono::milliseconds initTimeout{60000};    // cap on /init (also ≤ action timeout)
  // A prewarmed instance taken by a cold start is replaced only this long after: the
  // replacement's launch (and, in secure mode, its measurement and attestation) would
  // otherwise compete for the CPU with the cold start it serves.
  std::chrono::milliseconds prewarmRefillDelay{100};
  // Non-empty: launch runtimes through the clemmys-simtee at this socket (secure
  // mode; runtimeArgs then carry --secure --kms ... and are part of the measurement).
  std::string simteeSocket;
  std::string runtimeRootfs;  // secure mode: the runtimes' root manifest (LaunchOptions::rootfs)
  // Largest /run response accepted (OpenWhisk: 1 MB). Secure mode carries sealed
  // results, about 4/3 of the plaintext, so it allows 1.5 MiB.
  size_t maxResultBytes = 1 << 20;
  // Kinds whose function runs inside the runtime's own process (clemmys-runtime:
  // cpp). A runtime of another kind that vanishes during /run died on its own
  // (whisk internal error); one of these may have been taken down by the function
  // (developer error). doc/invoker.md, "Blame".
  std::vector<std::string> inProcessKinds = {"cpp"};
};

class Pool final : public Invoker {
 public:
  struct Stats {
    int instances = 0, idle = 0, busy = 0, prewarmed = 0;
    int64_t usedMemoryMb = 0;
    uint64_t warmStarts = 0, coldStarts = 0, prewarmHits = 0, evictions = 0;
    uint64_t timeouts = 0, memoryKills = 0, crashes = 0;
  };

  // Starts the maintenance threads and the initial prewarm launches (in background).
  // Errors: "invoker.bad_options" (no runtime binary, budget < 1).
  static Result<std::unique_ptr<Pool>> start(PoolOptions options, Clock& clock);
  ~Pool() override;

  RunResult run(const RunRequest& request) override;
  void stop();
  Stats stats() const;

 private:
  enum class State { prewarm, busy, idle };
  struct Slot {
    std::shared_ptr<Instance> instance;
    std::string key;   // fqn + "@" + revision; empty while prewarmed
    std::string kind;
    int64_t memoryMb = 0;
    State state = State::prewarm;
    int64_t lastUsedMs = 0;  // for idle eviction (injected clock)
    uint64_t useSeq = 0;     // LRU order (ms timestamps tie)
    uint64_t memoryLimitBytes = 0;  // enforced by the watchdog while busy
  };
  using SlotPtr = std::shared_ptr<Slot>;

  Pool(PoolOptions options, Clock& clock);
  Result<std::shared_ptr<Instance>> launch();
  // Acquires an instance for `request`: warm, prewarmed or a fresh reservation.
  // On success sets `cold` and returns the slot (state busy). Nullptr + message on failure.
  SlotPtr acquire(const RunRequest& request, bool& cold, bool& fromPrewarm, std::string& why);
  RunResult coldStart(const RunRequest& request, SlotPtr slot, bool fromPrewarm,
                      int64_t submitUs);
  RunResult execute(const RunRequest& request, const SlotPtr& slot, RunResult result);
  void release(const SlotPtr& slot, bool discard);
  void removeLocked(const SlotPtr& slot, std::vector<SlotPtr>& graveyard);
  bool evictOneLocked(std::vector<SlotPtr>& graveyard);
  void maintenanceLoop();
  void watchdogLoop();

  const PoolOptions options_;
  Clock& clock_;
  std::unique_ptr<Launcher> launcher_;

  mutable std::mutex mu_;
  std::condition_variable capacityCv_;  // an instance became idle / memory freed
  std::condition_variable maintainCv_;  // prewarm wanted / stopping
  int64_t prewarmTakenAtMs_ = INT64_MIN / 2;  // guarded by mu_; see prewarmRefillDelay
  std::condition_variable watchdogCv_;  // something became busy / stopping
  std::condition_variable inflightCv_;
  std::vector<SlotPtr> slots_;
  int64_t usedMb_ = 0;
  int inflight_ = 0;
  int busy_ = 0;
  // The watchdog sleeps on watchdogCv_ waiting for work only while this is set; in its
  // interval sleeps a notify would only wake it for nothing (once per request under
  // sequential load).
  bool watchdogAwaitsWork_ = false;
  uint64_t useCounter_ = 0;
  bool stopping_ = false;
  Stats counters_;

  std::thread maintenance_;
  std::thread watchdog_;
};

}  // namespace clemmys::invoker
