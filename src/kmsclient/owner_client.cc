#include "kmsclient/owner_client.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "http/message.h"
#include "kms/protocol.h"
#include "kmsclient/endpoint.h"
#include "policy/update.h"

namespace clemmys::kmsclient {
namespace {

namespace json = boost::json;

Result<json::object> call(http::Client& client, const std::string& method, const std::string& target,
                          const std::string& body = {}) {
  auto r = client.request(method, target, body, {{"Content-Type", "application/json"}});
  if (!r) return std::unexpected(r.error());
  if (r->status / 100 != 2) return std::unexpected(replyError(*r));
  try {
    return json::parse(r->body).as_object();
  } catch (const std::exception&) {
    return fail("kmsclient.bad_reply", "KMS reply is not a JSON object");
  }
}

std::string sessionPath(const std::string& name) { return "/v1/sessions/" + http::percentEncode(name); }

}  // namespace

Result<json::object> applyPolicy(http::Client& client, const std::string& yaml, const crypto::EcPrivateKey& owner) {
  auto parsed = policy::parsePolicy(yaml);
  if (!parsed) return std::unexpected(parsed.error());
  auto sig = policy::signPolicy(*parsed, owner);
  if (!sig) return std::unexpected(sig.error());
  json::object body{{"policy", yaml}, {"signature", base64UrlEncode(std::string(sig->begin(), sig->end()))}};
  return call(client, "POST", sessionPath(parsed->name), json::serialize(body));
}

Result<json::object> showSession(http::Client& client, const std::string& name) {
  return call(client, "GET", sessionPath(name));
}

Result<json::object> sessionHistory(http::Client& client, const std::string& name) {
  return call(client, "GET", sessionPath(name) + "/history");
}

Result<json::object> rotateKey(http::Client& client, const std::string& name, const crypto::EcPrivateKey& owner) {
  auto current = showSession(client, name);
  if (!current) return std::unexpected(current.error());
  try {
    std::string hash = json::value_to<std::string>(current->at("hash"));
    const auto& versions = current->at("key_versions").as_array();
    uint32_t next = versions.empty() ? 1 : static_cast<uint32_t>(versions.back().to_number<int64_t>() + 1);
    auto sig = owner.sign(crypto::asBytes(kms::rotateMessage(name, hash, next)));
    if (!sig) return std::unexpected(sig.error());
    json::object body{{"signature", base64UrlEncode(std::string(sig->begin(), sig->end()))}};
    return call(client, "POST", sessionPath(name) + "/rotate", json::serialize(body));
  } catch (const std::exception&) {
    return fail("kmsclient.bad_reply", "session description lacks hash/key_versions");
  }
}

}  // namespace clemmys::kmsclient
