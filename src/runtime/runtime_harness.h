// Test support: runs the real clemmys-runtime binary as a child process on a loopback
// socket the test binds (passed with --listen-fd 3, as the invoker does), captures its
// stdout and stderr through pipes, and talks to it with http::Client.
// Thread safety: one test thread per RuntimeProcess; output accessors are locked.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/subprocess.h"
#include "http/client.h"
#include "runtime/activation.h"

namespace clemmys::runtime::testing {

class RuntimeProcess {
 public:
  // `extraEnv` is added to the test's environment for the runtime.
  static Result<std::unique_ptr<RuntimeProcess>> start(const std::string& binary,
                                                       std::vector<std::string> args = {},
                                                       EnvVars extraEnv = {});
  ~RuntimeProcess();

  Result<http::Response> post(const std::string& path, const std::string& body);
  pid_t pid() const { return child_.pid(); }
  uint16_t port() const { return port_; }

  std::string out();
  std::string err();
  // Waits until both streams carry at least `n` sentinel lines.
  bool waitForSentinels(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sentinel lines seen so far on (stdout, stderr).
  std::pair<size_t, size_t> sentinels();
  // Sends SIGTERM and returns the raw wait status (nullopt if it did not exit in time).
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  RuntimeProcess() = default;
  void pump(int fd, std::string* into);

  Child child_;
  uint16_t port_ = 0;
  std::unique_ptr<http::Client> client_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::string out_, err_;
  std::thread outReader_, errReader_;
};

size_t countSentinels(const std::string& text);
std::string readFileBytes(const std::string& path);

}  // namespace clemmys::runtime::testing
