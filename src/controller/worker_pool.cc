#include "controller/worker_pool.h"

namespace clemmys::controller {

bool WorkerPool::submit(std::function<void()> task) {
  std::unique_lock lock(mu_);
  if (stopping_) return false;
  queue_.push_back(std::move(task));
  if (idle_ < queue_.size() && threads_.size() < maxThreads_)
    threads_.emplace_back([this] { loop(); });
  else
    cv_.notify_one();
  return true;
}

void WorkerPool::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (queue_.empty()) return;  // stopping and drained
    auto task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

void WorkerPool::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

}  // namespace clemmys::controller
