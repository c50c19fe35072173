// The OpenWhisk REST API as the CLI uses it: one http::Client to the configured API
// host, Basic auth on every request, JSON bodies, query strings built with encoding.
// Thread safety: none (one Api per command run).
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/config.h"
#include "common/error.h"
#include "http/client.h"

namespace clemmys::cli {

using Query = std::vector<std::pair<std::string, std::string>>;

struct ApiResponse {
  int status = 0;
  std::string body;           // raw, as received
  boost::json::value json;    // parsed body; null when the body is empty or not JSON
  std::optional<std::string> activationIdHeader;  // x-openwhisk-activation-id

  bool ok() const { return status >= 200 && status < 300; }
  // The server's error text: `error` (plus " (code C)"), else "HTTP <status>".
  std::string errorMessage() const;
};

// "?a=1&b=x%20y" (empty for no parameters); values are percent-encoded.
std::string buildQuery(const Query& query);

class Api {
 public:
  Api(Endpoint endpoint, std::string auth);

  // Errors: the http::Client errors ("http.connect_failed", "http.timeout", "http.io").
  Result<ApiResponse> call(std::string_view method, const std::string& path,
                           const Query& query = {},
                           const std::optional<boost::json::value>& body = std::nullopt,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Endpoint endpoint_;
  std::string authorization_;  // "Basic <base64(uuid:key)>"
  http::Client client_;
};

}  // namespace clemmys::cli
