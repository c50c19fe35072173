#include "runtime/loop_executor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstring>
#include <optional>

#include "common/subprocess.h"

extern char** environ;

namespace clemmys::runtime {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Milliseconds left until `deadline` for poll(): -1 without a deadline, >= 0 otherwise.
int pollTimeout(const std::optional<SteadyTime>& deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      *deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(left.count());
}

std::vector<std::string> mergedEnv(const EnvVars& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& kv : extra) overridden = overridden || kv.first == name;
    if (!overridden) env.emplace_back(entry);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

class LoopExecutor final : public Executor {
 public:
  LoopExecutor(Child child, int results, const Clock& clock)
      : child_(std::move(child)), results_(results), clock_(clock) {
    // Non-blocking stdin so that a child which stops reading cannot hold us past
    // the deadline.
    int fl = ::fcntl(child_.stdinFd(), F_GETFL);
    ::fcntl(child_.stdinFd(), F_SETFL, fl | O_NONBLOCK);
  }
  ~LoopExecutor() override {
    child_.closeStdin();
    child_.terminate(std::chrono::milliseconds(500));
    if (results_ >= 0) ::close(results_);
  }

  bool alive() { return !dead_ && child_.running(); }

  // A pre-started launcher's {"ready":true}; false (and the child killed) otherwise.
  bool awaitReady(std::chrono::milliseconds timeout) {
    auto line = readLine(std::chrono::steady_clock::now() + timeout);
    if (!line) return false;
    boost::system::error_code ec;
    auto v = boost::json::parse(*line, ec);
    const auto* ready = !ec && v.is_object() ? v.get_object().if_contains("ready") : nullptr;
    if (ready && ready->is_bool() && ready->get_bool()) return true;
    (void)died();
    return false;
  }

  Status sendLine(std::string line, std::chrono::milliseconds timeout) {
    line.push_back('\n');
    return writeAll(line, std::chrono::steady_clock::now() + timeout);
  }

  // Waits for the start-up handshake (see the header).
  Status handshake(bool expectAck, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!expectAck) {
      // A blackbox need not say anything: give it a moment to fail fast.
      struct pollfd p = {results_, POLLIN, 0};
      int r;
      while ((r = ::poll(&p, 1, 20)) < 0 && errno == EINTR) {
      }
      if (r == 0) return {};
    }
    auto line = readLine(deadline);
    if (!line) return fail("runtime.init_failed", line.error().message);
    boost::system::error_code ec;
    auto v = boost::json::parse(*line, ec);
    if (!ec && v.is_object()) {
      const auto& o = v.get_object();
      if (const auto* ok = o.if_contains("ok"); ok && ok->is_bool() && ok->get_bool()) return {};
      if (const auto* e = o.if_contains("error")) {
        return fail("runtime.init_failed",
                    e->is_string() ? std::string(e->get_string()) : boost::json::serialize(*e));
      }
    }
    return fail("runtime.init_failed", "the action's process sent an unexpected start line");
  }

  Result<std::string> run(const RunRequest& request) override {
    if (dead_) return fail("runtime.command_exited", "command exited");
    std::optional<SteadyTime> deadline;
    if (auto ms = request.deadlineMs()) {
      deadline = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(*ms - clock_.nowMs());
    }
    // serialize() never emits raw newlines (they are escaped inside strings), so the
    // body is exactly one line whatever whitespace the caller sent.
    std::string line = boost::json::serialize(request.body());
    line.push_back('\n');
    if (auto st = writeAll(line, deadline); !st) return std::unexpected(st.error());
    return readLine(deadline);
  }

 private:
  Result<std::string> died() {
    dead_ = true;
    child_.kill(SIGKILL);
    child_.wait(std::chrono::milliseconds(1000));
    return fail("runtime.command_exited", "command exited");
  }

  Result<std::string> timedOut() {
    (void)died();
    return fail("runtime.timeout", "The action exceeded its deadline.");
  }

  Status writeAll(std::string_view data, const std::optional<SteadyTime>& deadline) {
    int fd = child_.stdinFd();
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        struct pollfd p = {fd, POLLOUT, 0};
        int r = ::poll(&p, 1, pollTimeout(deadline));
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return std::unexpected(timedOut().error());
        if (p.revents & (POLLERR | POLLHUP)) return std::unexpected(died().error());
        continue;
      }
      return std::unexpected(died().error());  // EPIPE: the child is gone
    }
    return {};
  }

  Result<std::string> readLine(const std::optional<SteadyTime>& deadline) {
    size_t scanned = 0;
    char buf[65536];
    while (true) {
      size_t nl = pending_.find('\n', scanned);
      if (nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        return line;
      }
      scanned = pending_.size();
      struct pollfd p = {results_, POLLIN, 0};
      int r = ::poll(&p, 1, pollTimeout(deadline));
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) return timedOut();
      ssize_t n = ::read(results_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return died();  // EOF: every writer of fd 3 is gone
      pending_.append(buf, static_cast<size_t>(n));
    }
  }

  Child child_;
  int results_;
  const Clock& clock_;
  std::string pending_;
  bool dead_ = false;
};

// Spawns spec.argv with fd 3 as the results pipe; no handshake yet.
Result<std::unique_ptr<LoopExecutor>> spawnLoop(const LoopSpec& spec, const Clock& clock,
                                                SpawnThread& spawner) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return fail("runtime.spawn_failed", std::string("pipe: ") + std::strerror(errno));
  }
  SpawnOptions options;
  options.argv = spec.argv;
  options.cwd = spec.cwd;
  options.env = mergedEnv(spec.extraEnv);
  options.pipeStdin = true;
  options.noNetwork = spec.noNetwork;
  options.passFds = {{fds[1], 3}};
  auto child = spawner.spawn(options);
  ::close(fds[1]);  // only the child may hold the write end, so its exit reads as EOF
  if (!child) {
    ::close(fds[0]);
    return fail("runtime.spawn_failed", child.error().str());
  }
  return std::make_unique<LoopExecutor>(std::move(*child), fds[0], clock);
}

class WaitingLoopImpl final : public WaitingLoop {
 public:
  explicit WaitingLoopImpl(std::unique_ptr<LoopExecutor> loop) : loop_(std::move(loop)) {}

  bool alive() override { return loop_ && loop_->alive(); }

  Result<std::unique_ptr<Executor>> start(std::string_view startLine,
                                          std::chrono::milliseconds readyTimeout,
                                          std::chrono::milliseconds startTimeout) override {
    auto loop = std::move(loop_);
    if (!loop || !loop->awaitReady(readyTimeout)) {
      return fail("runtime.prestart_lost", "the pre-started process is gone");
    }
    if (auto st = loop->sendLine(std::string(startLine), startTimeout); !st) {
      return fail("runtime.init_failed", st.error().message);
    }
    if (auto st = loop->handshake(true, startTimeout); !st) return std::unexpected(st.error());
    return std::unique_ptr<Executor>(std::move(loop));
  }

 private:
  std::unique_ptr<LoopExecutor> loop_;
};

}  // namespace

Result<std::unique_ptr<Executor>> startLoopExecutor(const LoopSpec& spec, const Clock& clock,
                                                    SpawnThread& spawner) {
  auto executor = spawnLoop(spec, clock, spawner);
  if (!executor) return std::unexpected(executor.error());
  if (auto st = (*executor)->handshake(spec.expectAck, spec.startTimeout); !st) {
    return std::unexpected(st.error());
  }
  return std::unique_ptr<Executor>(std::move(*executor));
}

Result<std::unique_ptr<WaitingLoop>> spawnWaitingLoop(const LoopSpec& spec, const Clock& clock,
                                                      SpawnThread& spawner) {
  auto loop = spawnLoop(spec, clock, spawner);
  if (!loop) return std::unexpected(loop.error());
  return std::unique_ptr<WaitingLoop>(std::make_unique<WaitingLoopImpl>(std::move(*loop)));
}

}  // namespace clemmys::runtime
