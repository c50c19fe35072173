#include "common/task_thread.h"

namespace clemmys {

TaskThread::TaskThread() : thread_([this] { loop(); }) {}

TaskThread::~TaskThread() { stop(); }

bool TaskThread::run(const std::function<void()>& task) {
  std::future<bool> ran;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    queue_.push_back(Queued{&task, {}});
    ran = queue_.back().ran.get_future();
  }
  cv_.notify_one();
  return ran.get();
}

void TaskThread::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TaskThread::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nobody waits
    Queued q = std::move(queue_.front());
    queue_.pop_front();
    if (stopping_) {
      q.ran.set_value(false);
      continue;
    }
    lock.unlock();
    (*q.task)();
    q.ran.set_value(true);
    lock.lock();
  }
}

}  // namespace clemmys
