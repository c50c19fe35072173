// Helpers for the trusted processes `clemmys up` starts through clemmys-simtee
// (KMS, gateway): measuring a command line exactly as the simtee will, binding
// loopback listen sockets (reusing a port when it is free), launching with a
// stdout pipe whose first line matching a prefix is the "ready" line, and
// stopping (SIGTERM, then SIGKILL through the daemon).
//
// Thread safety: a TrustedProcess is owned by one thread; its forwarding thread
// copies later output lines to our stderr until the process exits.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.h"
#include "tee/simtee_client.h"

namespace clemmys::platform {

// `clemmys-simtee measure [--rootfs MANIFEST] -- argv...` (default sandbox).
// Error: platform.measure_failed.
Result<std::string> measureLaunch(const std::string& simteeBinary, const std::vector<std::string>& argv,
                                  const std::string& rootfs = "");

// A TCP socket listening on 127.0.0.1: on `preferred` if free (and non-zero),
// else on a kernel-chosen port. Returns {fd, port}. Error: platform.socket_failed.
Result<std::pair<int, uint16_t>> listenLoopback(uint16_t preferred);

class TrustedProcess {
 public:
  // Launches argv through the simtee; `listenFd` (>= 0) becomes fd 3. stdout is
  // ours to read; stderr is our stderr. Errors: simtee.*, platform.pipe_failed.
  static Result<std::unique_ptr<TrustedProcess>> launch(const std::string& simteeSocket,
                                                        std::vector<std::string> argv,
                                                        std::vector<std::string> env,
                                                        int listenFd, std::string name,
                                                        std::string rootfs = "");
  ~TrustedProcess();  // stop()

  // Waits for a stdout line starting with `prefix`. Error: platform.not_ready
  // (the process exited or the timeout passed; message has its last output).
  Result<std::string> waitForLine(const std::string& prefix, std::chrono::milliseconds timeout);
  // SIGTERM, up to `grace`, then SIGKILL; waits for the exit. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

  pid_t pid() const { return pid_; }
  const std::string& measurement() const { return measurement_; }
  // The exit status once the process has ended, nullopt while it runs. Error: simtee.*.
  Result<std::optional<int>> exitStatus() { return client_.exitStatus(pid_); }

 private:
  TrustedProcess(std::string socket, std::string name) : client_(std::move(socket)), name_(std::move(name)) {}
  void readLoop(int fd);

  tee::SimteeClient client_;
  std::string name_;
  pid_t pid_ = -1;
  std::string measurement_;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;  // until a waiter took what it wanted
  bool eof_ = false;
  bool stopped_ = false;
};

}  // namespace clemmys::platform
