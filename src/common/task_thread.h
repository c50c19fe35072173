// Runs tasks on one long-lived thread, one at a time; each caller blocks until its
// task ran. For forking children that must outlive the thread that asked for them:
// spawn() sets PR_SET_PDEATHSIG, which Linux delivers when the *forking thread*
// exits, not the process (invoker/launcher.h, runtime/spawn_thread.h).
//
// Thread safety: run() may be called from any thread (not from a task); stop() from
// any thread but the task thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace clemmys {

class TaskThread {
 public:
  TaskThread();
  ~TaskThread();  // stop()
  TaskThread(const TaskThread&) = delete;
  TaskThread& operator=(const TaskThread&) = delete;

  // Runs `task` on the thread and waits for it to return. False, and the task not
  // run, once stop() has begun (queued tasks are refused too).
  bool run(const std::function<void()>& task);
  // Refuses new and queued tasks, waits for the running one, joins. Idempotent.
  void stop();

 private:
  struct Queued {
    const std::function<void()>* task;
    std::promise<bool> ran;
  };
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace clemmys
