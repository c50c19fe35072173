#include "invoker/launcher.h"

namespace clemmys::invoker {

Launcher::Launcher(LaunchOptions options) : options_(std::move(options)) {
  thread_ = std::thread([this] { loop(); });
}

Launcher::~Launcher() { stop(); }

Result<std::shared_ptr<Instance>> Launcher::launch() {
  std::future<Result<std::shared_ptr<Instance>>> done;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return fail("invoker.stopping", "the invoker is shutting down");
    queue_.emplace_back();
    done = queue_.back().get_future();
  }
  cv_.notify_one();
  return done.get();
}

void Launcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Launcher::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and nothing left
    Promise p = std::move(queue_.front());
    queue_.pop_front();
    if (stopping_) {
      p.set_value(fail("invoker.stopping", "the invoker is shutting down"));
      continue;
    }
    lock.unlock();
    auto inst = Instance::launch(options_);
    if (inst) p.set_value(std::shared_ptr<Instance>(std::move(*inst)));
    else p.set_value(std::unexpected(inst.error()));
    lock.lock();
  }
}

}  // namespace clemmys::invoker
