// Test helper: runs `clemmys up --plain` as a real child process on a free port in a
// given data directory, and talks to it over HTTP with the installation's credentials.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "common/subprocess.h"
#include "http/client.h"

namespace clemmys::testing {

class UpProcess {
 public:
  // Starts and waits (up to 30 s) for the "clemmys ready" line; check ready().
  UpProcess(const std::string& dataDir, std::vector<std::string> extraArgs = {});
  ~UpProcess();

  bool ready() const { return ready_; }
  pid_t pid() const { return child_.pid(); }
  Child& child() { return child_; }
  // Request with Basic auth; body is JSON text.
  Result<http::Response> call(const std::string& method, const std::string& target,
                              const std::string& body = "");
  // Direct child processes (the runtimes it launched).
  std::vector<pid_t> childPids() const;

 private:
  Child child_;
  bool ready_ = false;
  uint16_t port_ = 0;
  std::string authHeader_;
  std::unique_ptr<http::Client> client_;
};

std::string makeTempDir();

}  // namespace clemmys::testing
