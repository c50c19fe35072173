// Test double for invoker::Invoker whose behaviour is driven by the action's code:
//   "echo"          success, result = params
//   "append:S"      success, result = params with params.trail + S
//   "error"         application error {"error":"boom"}
//   "crash"         developer error {"error":"crashed"}
//   "internal"      whisk internal error
//   "block"         waits until release(), then echo
// Records every request. Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "invoker/invoker.h"

namespace clemmys::controller::testing {

class FakeInvoker final : public invoker::Invoker {
 public:
  explicit FakeInvoker(Clock& clock) : clock_(clock) {}

  invoker::RunResult run(const invoker::RunRequest& r) override {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(r);
      ++running_;
    }
    invoker::RunResult out;
    out.startMs = clock_.nowMs();
    out.endMs = out.startMs + 5;
    out.waitTimeMs = 1;
    {
      std::lock_guard lock(mu_);
      if (warm_.insert(r.action.fqn + "@" + r.action.revision).second) out.initTimeMs = 3;
    }
    out.logs.push_back("2024-01-01T00:00:00.000000000Z  stdout: ran " + r.action.fqn);
    const std::string& code = r.action.code;
    out.status = invoker::RunStatus::success;
    out.result = r.params;
    if (code == "error") {
      out.status = invoker::RunStatus::applicationError;
      out.result = boost::json::object{{"error", "boom"}};
    } else if (code == "crash") {
      out.status = invoker::RunStatus::developerError;
      out.result = boost::json::object{{"error", "crashed"}};
    } else if (code == "internal") {
      out.status = invoker::RunStatus::internalError;
      out.result = boost::json::object{{"error", "no runtime"}};
    } else if (code.starts_with("append:") && out.result.is_object()) {
      auto& o = out.result.as_object();
      std::string trail = o.contains("trail") ? std::string(o["trail"].as_string()) : "";
      o["trail"] = trail + code.substr(7);
    } else if (code == "block") {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return released_; });
    }
    std::lock_guard lock(mu_);
    --running_;
    return out;
  }

  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int running() {
    std::lock_guard lock(mu_);
    return running_;
  }
  std::vector<invoker::RunRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  int running_ = 0;
  std::set<std::string> warm_;
  std::vector<invoker::RunRequest> requests_;
};

}  // namespace clemmys::controller::testing
