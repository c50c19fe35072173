#include "intercept_proxy.h"

#include <strings.h>

namespace clemmys::attack {
namespace {

// Hop-by-hop and framing headers the client library sets itself.
bool ownHeader(const std::string& name) {
  for (const char* h : {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}) {
    if (::strcasecmp(name.c_str(), h) == 0) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<InterceptProxy>> InterceptProxy::start(uint16_t listenPort, uint16_t controllerPort) {
  std::unique_ptr<InterceptProxy> p(new InterceptProxy(controllerPort));
  http::ServerOptions o;
  o.host = "127.0.0.1";
  o.port = listenPort;
  o.maxBodyBytes = 4 << 20;
  auto* raw = p.get();
  auto server = http::Server::start(o, [raw](http::Request& r) { return raw->handle(r); });
  if (!server) return std::unexpected(server.error());
  p->server_ = std::move(*server);
  return p;
}

InterceptProxy::~InterceptProxy() {
  if (server_) server_->stop();
}

void InterceptProxy::setHooks(Hook onRequest, Hook onResponse) {
  std::lock_guard lock(mutex_);
  onRequest_ = std::move(onRequest);
  onResponse_ = std::move(onResponse);
}

std::vector<Exchange> InterceptProxy::recorded() const {
  std::lock_guard lock(mutex_);
  return record_;
}

std::unique_ptr<http::Client> InterceptProxy::take() {
  std::lock_guard lock(poolMutex_);
  if (idle_.empty()) return std::make_unique<http::Client>("127.0.0.1", controllerPort_);
  auto c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void InterceptProxy::give(std::unique_ptr<http::Client> client) {
  std::lock_guard lock(poolMutex_);
  idle_.push_back(std::move(client));
}

http::Response InterceptProxy::handle(http::Request& request) {
  Exchange x;
  x.method = request.method;
  x.target = request.target;
  for (auto& [k, v] : request.headers) {
    if (!ownHeader(k)) x.requestHeaders.emplace_back(k, v);
  }
  x.requestBody = request.body;
  Hook onRequest, onResponse;
  {
    std::lock_guard lock(mutex_);
    onRequest = onRequest_;
    onResponse = onResponse_;
  }
  if (onRequest) onRequest(x);
  auto client = take();
  auto r = client->request(x.method, x.target, x.requestBody, x.requestHeaders, std::chrono::seconds(80));
  if (r) {
    give(std::move(client));
    x.status = r->status;
    for (auto& [k, v] : r->headers) {
      if (!ownHeader(k)) x.responseHeaders.emplace_back(k, v);
    }
    x.responseBody = r->body;
  } else {
    x.status = 502;
    x.responseBody = R"({"error":"proxy: controller unreachable"})";
  }
  if (onResponse) onResponse(x);
  {
    std::lock_guard lock(mutex_);
    record_.push_back(x);
  }
  http::Response out;
  out.status = x.status;
  out.headers = x.responseHeaders;
  out.body = x.responseBody;
  return out;
}

}  // namespace clemmys::attack
