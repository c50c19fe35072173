// Retention: deletes complete activation records older than a time-to-live, in
// the background (doc/formats/store-schema.md, "Listing and retention"). One
// thread sweeps once per `interval`: it asks the store to expire records whose
// start is before now - ttl, in transactions of at most kBatch rows and at most
// kMaxPerSweep rows per sweep, so a large backlog never holds the store for long.
// Thread safety: start() and stop() from the owning thread; the sweep runs on its
// own thread. stop() (and the destructor) wait for a sweep in progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "store/store.h"

namespace clemmys::controller {

class Retention {
 public:
  static constexpr int kBatch = 10'000;
  static constexpr int64_t kMaxPerSweep = 100'000;

  // ttl 0: keep forever (no thread).
  Retention(store::Store& store, const Clock& clock, std::chrono::milliseconds ttl,
            std::chrono::milliseconds interval);
  ~Retention();
  void stop();
  // One sweep now, on the caller's thread; returns the records deleted.
  int64_t sweep();
  uint64_t deletedTotal() const;

 private:
  void loop();

  store::Store& store_;
  const Clock& clock_;
  std::chrono::milliseconds ttl_, interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t deleted_ = 0;  // guarded by mu_
  std::thread thread_;
};

}  // namespace clemmys::controller
