#include "gateway/upstream.h"

#include "common/encoding.h"

namespace clemmys::gateway {

namespace {
constexpr size_t kMaxIdleConnections = 16;
}

Result<ControllerAddress> parseControllerUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme)
    return fail("gateway.bad_controller_url", "expected http://host:port");
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || rest.find('/') != std::string_view::npos)
    return fail("gateway.bad_controller_url", "expected http://host:port");
  ControllerAddress a;
  a.host = std::string(rest.substr(0, colon));
  std::string port(rest.substr(colon + 1));
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p <= 0 || p > 65535) return fail("gateway.bad_controller_url", "bad port");
  a.port = static_cast<uint16_t>(p);
  return a;
}

ControllerLink::ControllerLink(ControllerAddress address, std::string auth)
    : address_(std::move(address)), authorization_("Basic " + base64Encode(auth)) {}

std::unique_ptr<http::Client> ControllerLink::take() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return std::make_unique<http::Client>(address_.host, address_.port);
  auto c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void ControllerLink::give(std::unique_ptr<http::Client> client) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(client));
}

Result<http::Response> ControllerLink::request(std::string_view method, std::string_view target,
                                               std::string_view body, const http::Headers& extra,
                                               std::chrono::milliseconds timeout) {
  http::Headers headers{{"Authorization", authorization_}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  headers.insert(headers.end(), extra.begin(), extra.end());
  auto client = take();
  auto r = client->request(method, target, body, headers, timeout);
  if (r) give(std::move(client));  // a failed connection is dropped, not reused
  return r;
}

}  // namespace clemmys::gateway
