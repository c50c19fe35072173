#include "controller/retention.h"

#include "common/log.h"

namespace clemmys::controller {

Retention::Retention(store::Store& store, const Clock& clock, std::chrono::milliseconds ttl,
                     std::chrono::milliseconds interval)
    : store_(store), clock_(clock), ttl_(ttl), interval_(interval) {
  if (ttl_.count() > 0) thread_ = std::thread([this] { loop(); });
}

Retention::~Retention() { stop(); }

void Retention::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t Retention::sweep() {
  int64_t before = clock_.nowMs() - ttl_.count();
  int64_t total = 0;
  while (total < kMaxPerSweep) {
    auto n = store_.expireActivations(before, kBatch);
    if (!n) {
      log::warn("controller: activation retention: " + n.error().str());
      break;
    }
    total += *n;
    if (*n < kBatch) break;
  }
  std::lock_guard lock(mu_);
  deleted_ += static_cast<uint64_t>(total);
  return total;
}

uint64_t Retention::deletedTotal() const {
  std::lock_guard lock(mu_);
  return deleted_;
}

void Retention::loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    int64_t n = sweep();
    if (n > 0) log::info("controller: deleted " + std::to_string(n) + " activation record(s) past their time-to-live");
    lock.lock();
  }
}

}  // namespace clemmys::controller
