// Small helpers shared by the REST handlers: error bodies, query parsing, auth.
// Thread safety: functions are pure; Authenticator is immutable after construction.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/message.h"
#include "store/store.h"

namespace clemmys::controller {

namespace json = boost::json;

// {"error": message, "code": transaction id}, as OpenWhisk's ErrorResponse.
http::Response errorResponse(int status, std::string_view message, std::string_view txid);
http::Response jsonResponse(int status, const json::value& body);

// "true" (any case) → true.
bool queryFlag(const http::Request& r, const std::string& name);

// Parses a base-10 integer, whole string; empty on anything else.
std::optional<long long> parseInteger(std::string_view text);

// Checks HTTP Basic credentials against the installation's subjects.
class Authenticator {
 public:
  explicit Authenticator(std::vector<store::Subject> subjects);
  // The subject, or nullptr when the header is absent, malformed, or wrong.
  const store::Subject* check(std::optional<std::string_view> authorization) const;

 private:
  std::vector<store::Subject> subjects_;
  // Fast path: the exact header value a client sends → subject index.
  std::unordered_map<std::string, size_t> byHeader_;
};

}  // namespace clemmys::controller
