// A bounded pool of threads for activations that outlive their HTTP request
// (non-blocking invokes, blocking invokes past their wait). Threads are started on
// demand up to `maxThreads` and then kept; tasks beyond that wait in a FIFO queue
// (its length is bounded by the controller's per-namespace in-flight limit).
// Thread safety: submit() may be called from any thread; stop() runs every queued
// task, then joins all threads. Tasks must not throw.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace clemmys::controller {

class WorkerPool {
 public:
  explicit WorkerPool(size_t maxThreads) : maxThreads_(maxThreads) {}
  ~WorkerPool() { stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False after stop(): the task was not accepted.
  bool submit(std::function<void()> task);
  void stop();

 private:
  void loop();

  const size_t maxThreads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace clemmys::controller
