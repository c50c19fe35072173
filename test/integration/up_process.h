// Test helper: runs `clemmys up --plain` (or secure `clemmys up`) as a real child
// process on a free port in a given data directory, and talks to it with the
// credentials from <data>/wskprops: HTTP to the controller (plain), or HTTPS to the
// gateway trusting only the session CA named by CACERT (secure).
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "common/subprocess.h"
#include "http/client.h"

namespace clemmys::testing {

class UpProcess {
 public:
  // Starts and waits for the "clemmys ready" line; check ready().
  UpProcess(const std::string& dataDir, std::vector<std::string> extraArgs = {},
            bool secure = false);
  ~UpProcess();

  bool ready() const { return ready_; }
  pid_t pid() const { return child_.pid(); }
  Child& child() { return child_; }
  // Request with Basic auth; body is JSON text.
  Result<http::Response> call(const std::string& method, const std::string& target,
                              const std::string& body = "");
  // Same endpoint with another Authorization header value.
  Result<http::Response> callAs(const std::string& authHeader, const std::string& method,
                                const std::string& target, const std::string& body = "");
  // Direct child processes (the runtimes it launched).
  std::vector<pid_t> childPids() const;

 private:
  Child child_;
  bool ready_ = false;
  uint16_t port_ = 0;
  bool secure_ = false;
  std::string authHeader_;
  std::unique_ptr<http::Client> client_;
};

std::string makeTempDir();

}  // namespace clemmys::testing
