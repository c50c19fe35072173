#include "kmsclient/endpoint.h"

#include <boost/json.hpp>

namespace clemmys::kmsclient {

Result<KmsEndpoint> parseKmsUrl(std::string_view url) {
  if (url.starts_with("https://")) url.remove_prefix(8);
  else if (url.find("://") != std::string_view::npos) return fail("kmsclient.bad_url", "the KMS speaks https only");
  while (url.ends_with("/")) url.remove_suffix(1);
  size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return fail("kmsclient.bad_url", "expected https://host:port");
  KmsEndpoint e;
  e.host = std::string(url.substr(0, colon));
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  std::string port(url.substr(colon + 1));
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) == 0 || std::stoul(port) > 65535) {
    return fail("kmsclient.bad_url", "bad port '" + port + "'");
  }
  e.port = static_cast<uint16_t>(std::stoul(port));
  return e;
}

Result<http::Client> pinnedClient(const KmsEndpoint& endpoint) {
  if (endpoint.certificatePem.empty()) {
    return fail("kmsclient.not_pinned", "no verified KMS certificate (run `clemmys kms verify` and pass --kms-cert)");
  }
  return http::Client(endpoint.host, endpoint.port, http::ClientTls{endpoint.certificatePem, endpoint.host, true});
}

Error replyError(const http::Response& response) {
  try {
    auto v = boost::json::parse(response.body);
    if (v.is_object() && v.as_object().contains("error")) {
      const auto& o = v.as_object();
      std::string message = o.contains("message") && o.at("message").is_string()
                                ? std::string(o.at("message").as_string())
                                : std::string();
      return Error{std::string(o.at("error").as_string()), message};
    }
  } catch (const std::exception&) {
  }
  return Error{"kmsclient.http_" + std::to_string(response.status), response.body.substr(0, 200)};
}

}  // namespace clemmys::kmsclient
