// Upstream: the untrusted controller behind the gateway. ControllerLink speaks
// HTTP to it with the controller's own credentials (CLEMMYS_CONTROLLER_AUTH);
// nothing sent through it may hold plaintext the controller must not see.
// Thread safety: ControllerLink is safe for concurrent callers (a pool of
// connections, one per caller at a time).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"
#include "http/client.h"

namespace clemmys::gateway {

class Upstream {
 public:
  virtual ~Upstream() = default;
  // `extra` headers are added to the controller's Authorization and
  // Content-Type. Errors: http.* (controller unreachable).
  virtual Result<http::Response> request(std::string_view method, std::string_view target, std::string_view body,
                                         const http::Headers& extra = {},
                                         std::chrono::milliseconds timeout = std::chrono::seconds(70)) = 0;
};

struct ControllerAddress {
  std::string host;
  uint16_t port = 0;
};

// "http://host:port" (path ignored if "/"). Error: gateway.bad_controller_url.
Result<ControllerAddress> parseControllerUrl(std::string_view url);

class ControllerLink final : public Upstream {
 public:
  // `auth` is "uuid:key" for the controller (sent as Basic auth).
  ControllerLink(ControllerAddress address, std::string auth);
  Result<http::Response> request(std::string_view method, std::string_view target, std::string_view body,
                                 const http::Headers& extra, std::chrono::milliseconds timeout) override;

 private:
  std::unique_ptr<http::Client> take();
  void give(std::unique_ptr<http::Client> client);
  ControllerAddress address_;
  std::string authorization_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<http::Client>> idle_;
};

}  // namespace clemmys::gateway
