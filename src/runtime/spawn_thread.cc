#include "runtime/spawn_thread.h"

#include <future>

namespace clemmys::runtime {

SpawnThread::SpawnThread() : thread_([this] { loop(); }) {}

SpawnThread::~SpawnThread() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<Child> SpawnThread::spawn(const SpawnOptions& options) {
  std::promise<Result<Child>> done;
  auto future = done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return fail("runtime.spawn_failed", "the runtime is stopping");
    tasks_.emplace_back([&] { done.set_value(clemmys::spawn(options)); });
  }
  cv_.notify_one();
  return future.get();
}

void SpawnThread::loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, nothing left to serve
    auto task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace clemmys::runtime
