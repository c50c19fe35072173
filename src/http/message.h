// Plain HTTP request/response values shared by the server and the client, so that
// modules above never include Boost.Beast.
#pragma once

#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clemmys::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; first match.
std::optional<std::string_view> findHeader(const Headers& headers, std::string_view name);

struct Request {
  std::string method;                        // "GET", "PUT", ...
  std::string target;                        // raw request target, with query
  std::string path;                          // percent-decoded path, no query
  std::map<std::string, std::string> query;  // percent-decoded query parameters
  Headers headers;
  std::string body;
  std::string remoteAddress;  // "127.0.0.1:53210"

  std::optional<std::string_view> header(std::string_view name) const {
    return findHeader(headers, name);
  }
  // Query parameter lookup; empty optional when absent.
  std::optional<std::string_view> param(const std::string& name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const {
    return findHeader(headers, name);
  }
  Response& set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // application/json body.
  static Response json(int status, const boost::json::value& body);
  static Response text(int status, std::string body);
};

// Splits "a/b%20c?x=1&y" into path "a/b c" and query {x:"1", y:""}.
void parseTarget(std::string_view target, std::string& path,
                 std::map<std::string, std::string>& query);
std::string percentDecode(std::string_view s);
std::string percentEncode(std::string_view s);  // for path segments and query values

}  // namespace clemmys::http
