// The malicious provider's intercepting proxy: an HTTP server the gateway is
// configured to use as its "controller"; it forwards every request to the real
// controller and every answer back, records both bodies, and lets a test rewrite
// a request before it is forwarded or an answer before it is returned.
//
// Thread safety: the server calls handle() from one thread per connection; the
// record, the rewrite hooks and the upstream pool are guarded by one mutex each.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"
#include "http/client.h"
#include "http/server.h"

namespace clemmys::attack {

struct Exchange {
  std::string method;
  std::string target;
  http::Headers requestHeaders;
  std::string requestBody;
  int status = 0;
  http::Headers responseHeaders;
  std::string responseBody;
};

class InterceptProxy {
 public:
  // Request hook: may edit method/target/headers/body before forwarding.
  // Response hook: sees the whole exchange and may edit status/body.
  using Hook = std::function<void(Exchange&)>;

  // Listens on 127.0.0.1:listenPort (0: any) and forwards to 127.0.0.1:controllerPort.
  static Result<std::unique_ptr<InterceptProxy>> start(uint16_t listenPort, uint16_t controllerPort);
  ~InterceptProxy();

  uint16_t port() const { return server_->port(); }
  void setHooks(Hook onRequest, Hook onResponse);
  void clearHooks() { setHooks(nullptr, nullptr); }
  // Everything forwarded since the start (after the hooks ran).
  std::vector<Exchange> recorded() const;

 private:
  explicit InterceptProxy(uint16_t controllerPort) : controllerPort_(controllerPort) {}
  http::Response handle(http::Request& request);
  std::unique_ptr<http::Client> take();
  void give(std::unique_ptr<http::Client> client);

  uint16_t controllerPort_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mutex_;
  Hook onRequest_, onResponse_;
  std::vector<Exchange> record_;
  std::mutex poolMutex_;
  std::vector<std::unique_ptr<http::Client>> idle_;
};

}  // namespace clemmys::attack
