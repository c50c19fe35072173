#include "cli/api.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/encoding.h"
#include "http/message.h"

namespace clemmys::cli {

namespace json = boost::json;

std::string ApiResponse::errorMessage() const {
  if (json.is_object()) {
    const auto& object = json.as_object();
    auto error = object.find("error");
    // An invoke with result=true returns the action's own {"error": ...} result.
    if (error != object.end()) {
      std::string text = error->value().is_string() ? std::string(error->value().as_string())
                                                    : json::serialize(error->value());
      auto code = object.find("code");
      if (code != object.end() && code->value().is_string() &&
          !code->value().as_string().empty()) {
        text += " (code " + std::string(code->value().as_string()) + ")";
      }
      return text;
    }
  }
  return "HTTP " + std::to_string(status);
}

std::string buildQuery(const Query& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    out += out.empty() ? "?" : "&";
    out += http::percentEncode(key) + "=" + http::percentEncode(value);
  }
  return out;
}

Api::Api(Endpoint endpoint, std::string auth)
    : endpoint_(std::move(endpoint)),
      authorization_("Basic " + base64Encode(auth)),
      client_(endpoint_.scheme == "https"
                  ? http::Client(endpoint_.host, endpoint_.port, http::ClientTls{endpoint_.caPem, "", true})
                  : http::Client(endpoint_.host, endpoint_.port)) {}

Result<ApiResponse> Api::call(std::string_view method, const std::string& path,
                              const Query& query, const std::optional<json::value>& body,
                              std::chrono::milliseconds timeout) {
  http::Headers headers{{"Authorization", authorization_}, {"Accept", "application/json"}};
  std::string payload;
  if (body) {
    payload = json::serialize(*body);
    headers.emplace_back("Content-Type", "application/json");
  }
  auto response = client_.request(method, endpoint_.basePath + path + buildQuery(query),
                                  payload, headers, timeout);
  if (!response) return std::unexpected(response.error());
  ApiResponse out;
  out.status = response->status;
  out.body = std::move(response->body);
  if (auto id = response->header("x-openwhisk-activation-id")) out.activationIdHeader = std::string(*id);
  if (!out.body.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(out.body, ec);
    if (!ec) out.json = std::move(parsed);
  }
  return out;
}

}  // namespace clemmys::cli
