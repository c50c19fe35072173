// Gateway::invoke — resolve the chain, issue INVOKE step 0, forward, and accept
// the outcome through the ledger (G1–G7) before anything reaches the client.
#include <boost/json.hpp>

#include "common/encoding.h"
#include "gateway/action_codec.h"
#include "gateway/gateway.h"
#include "gateway/record_opener.h"
#include "runtime/json_depth.h"

namespace clemmys::gateway {

namespace json = boost::json;

http::Response Gateway::invoke(const http::Request& request, const Route& route) {
  std::string payload = request.body.empty() ? "{}" : request.body;
  std::error_code ec;
  auto args = json::parse(payload, ec, {}, argumentJsonOptions());
  if (ec) return error(400, std::string(kMalformed) + ec.message());
  if (!args.is_object()) return error(400, std::string(kMalformed) + "expected a JSON object");

  std::optional<http::Response> upstreamFailure;
  auto ns = resolveNamespace(route.ns, upstreamFailure);
  if (upstreamFailure) return passthrough(*upstreamFailure);
  if (!ns) return refusal(ns.error());
  auto chain = resolver_.resolve(fqnOf(*ns, route.rest), upstreamFailure);
  if (upstreamFailure) return passthrough(*upstreamFailure);
  if (!chain) return refusal(chain.error());

  envelope::Id id;
  random_.fill(id.data(), id.size());
  std::string idHex = toHex(std::span<const uint8_t>(id));
  uint64_t expires = static_cast<uint64_t>(clock_.nowMs() + options_.messageLifetimeMs);
  auto sealed = envelope::sealFirstInvoke(id, chain->chain, expires, payload, options_.keyVersion, keys_, random_);
  if (!sealed) return refusal(sealed.error());
  ledger_.issue(id, envelope::chainId(chain->chain), expires);

  std::string body = json::serialize(json::object{{"clemmys", envelope::toWire(*sealed)}});
  // Wait a little longer than the controller's own blocking timeout (max 60 s).
  auto r = controller_.request("POST", request.target, body, {{"X-Clemmys-Activation-Id", idHex}},
                               std::chrono::milliseconds(75000));
  if (!r) return refusal(r.error());
  auto mapped = mapOutcome(request, *r, id);
  if (!mapped) return refusal(mapped.error());
  return *mapped;
}

Result<http::Response> Gateway::mapOutcome(const http::Request& request, const http::Response& upstream,
                                           const envelope::Id& id) {
  // Non-blocking (202 {activationId}) and refusals (4xx, 429) carry nothing sealed.
  if (upstream.status != 200 && upstream.status != 502 && upstream.status != 500) return passthrough(upstream);
  std::error_code ec;
  auto body = json::parse(upstream.body, ec);
  if (ec) return fail("gateway.bad_upstream", "invoke reply is not JSON");
  std::string idHex = toHex(std::span<const uint8_t>(id));
  bool isRecord = body.is_object() && body.as_object().if_contains("response") != nullptr &&
                  body.as_object().if_contains("activationId") != nullptr;
  json::value* result = &body;
  if (isRecord) {
    auto& record = body.as_object();
    auto* aid = record.if_contains("activationId");
    if (!aid->is_string() || aid->as_string() != idHex)
      return fail("gateway.substituted_result", "record is for another activation");
    auto& response = record["response"];
    if (!response.is_object()) return fail("gateway.bad_upstream", "record response");
    result = &response.as_object()["result"];
  }
  auto sealed = sealedResult(*result);
  if (!sealed) return std::unexpected(sealed.error());
  if (!*sealed) {
    // A failed activation with a plaintext platform message (invoker error,
    // a runtime's named refusal) is metadata; a "successful" plaintext result
    // is the controller speaking for the function.
    bool platformError = upstream.status != 200 && result->is_object() && result->as_object().size() == 1 &&
                         result->as_object().if_contains("error") != nullptr &&
                         result->as_object().at("error").is_string();
    if (!platformError) return fail("gateway.unsealed_result", "the controller returned a plaintext result");
    // Whoever wrote it, it did not come out of a runtime: never the function's error.
    if (isRecord) {
      markPlatformError(body.as_object());
      if (auto* logs = body.as_object().if_contains("logs"); logs != nullptr && logs->is_array()) {
        auto opened = openLogs(logs->as_array(), id, isSequenceRecord(body.as_object()), std::nullopt, keys_);
        if (!opened) return std::unexpected(opened.error());
        *logs = std::move(*opened);
      }
    } else {
      body = platformErrorResult(body);
    }
    return respond(upstream, body);
  }
  // Only this request's activation: another in-flight id must not settle here.
  auto parsed = envelope::parse(**sealed);
  if (!parsed) return std::unexpected(parsed.error());
  if (parsed->header.id != id) return fail("gateway.unknown_activation", "outcome of another activation");
  auto outcome = ledger_.accept(**sealed);
  if (!outcome) return std::unexpected(outcome.error());
  auto value = payloadValue(outcome->payload);
  if (!value) return std::unexpected(value.error());
  *result = std::move(*value);
  if (isRecord) {
    auto& record = body.as_object();
    if (auto* logs = record.if_contains("logs"); logs != nullptr && logs->is_array()) {
      auto opened = openLogs(logs->as_array(), id, isSequenceRecord(record), outcome->logs, keys_);
      if (!opened) return std::unexpected(opened.error());
      *logs = std::move(*opened);
    }
  }
  (void)request;
  return respond(upstream, body);
}

http::Response Gateway::respond(const http::Response& upstream, const json::value& body) {
  auto out = http::Response::json(upstream.status, body);
  out.set("Access-Control-Allow-Origin", "*");
  if (auto h = upstream.header("x-openwhisk-activation-id")) out.set("x-openwhisk-activation-id", std::string(*h));
  return out;
}

}  // namespace clemmys::gateway
