#include "gateway/record_opener.h"

#include <boost/json.hpp>

#include "crypto/digest.h"
#include "runtime/json_depth.h"

namespace clemmys::gateway {

namespace json = boost::json;
using envelope::Type;

namespace {

const json::string* str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

const json::value* annotation(const json::object& record, std::string_view key) {
  auto* list = record.if_contains("annotations");
  if (list == nullptr || !list->is_array()) return nullptr;
  for (const auto& a : list->as_array()) {
    if (!a.is_object()) continue;
    auto* k = str(a.as_object(), "key");
    if (k != nullptr && *k == key) return a.as_object().if_contains("value");
  }
  return nullptr;
}

bool isActivationId(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

bool isSequenceRecord(const json::object& record) {
  auto* kind = annotation(record, "kind");
  return kind != nullptr && kind->is_string() && kind->as_string() == "sequence";
}

std::string recordFqn(const json::object& record) {
  auto* path = annotation(record, "path");
  if (path != nullptr && path->is_string()) return "/" + std::string(path->as_string());
  auto* ns = str(record, "namespace");
  auto* name = str(record, "name");
  return "/" + std::string(ns != nullptr ? *ns : "") + "/" + std::string(name != nullptr ? *name : "");
}

Result<std::optional<envelope::Bytes>> sealedResult(const json::value& result) {
  if (!result.is_object()) return std::optional<envelope::Bytes>();
  const json::object* o = &result.as_object();
  if (auto* err = o->if_contains("error"); err != nullptr && err->is_object() && o->size() == 1) o = &err->as_object();
  auto* wire = o->if_contains("clemmys");
  if (wire == nullptr) return std::optional<envelope::Bytes>();
  if (!wire->is_string() || o->size() != 1) return fail("envelope.not_sealed", "malformed clemmys carriage");
  auto bytes = envelope::fromWire(wire->as_string());
  if (!bytes) return std::unexpected(bytes.error());
  return std::optional<envelope::Bytes>(std::move(*bytes));
}

Result<json::value> payloadValue(std::string_view payload) {
  std::error_code ec;
  auto v = json::parse(payload, ec, {}, carriedJsonOptions());
  if (ec) return fail("gateway.bad_payload", "payload is not JSON");
  return v;
}

json::value platformErrorResult(const json::value& plaintext) {
  std::string text;
  if (plaintext.is_object())
    if (auto* e = plaintext.as_object().if_contains("error"); e != nullptr && e->is_string()) text = e->as_string();
  return json::object{{"error", "gateway.platform_error: " + (text.empty() ? "no message" : text)}};
}

void markPlatformError(json::object& record) {
  auto* response = record.if_contains("response");
  if (response == nullptr || !response->is_object()) return;
  auto& r = response->as_object();
  json::value plain = r.contains("result") ? r.at("result") : json::value(json::object());
  // "application error" is a function's own error: in secure mode only an ERROR
  // envelope carries one. The platform's statuses (developer error for a timeout or
  // a crashed runtime, internal error) stay, so clients see what OpenWhisk says.
  auto* status = r.if_contains("status");
  if (status == nullptr || !status->is_string() || status->as_string() == "application error" ||
      status->as_string() == "success") {
    r["status"] = "whisk internal error";
    r["statusCode"] = 3;
  }
  r["success"] = false;
  r["result"] = platformErrorResult(plain);
}

Result<StoredOutcome> openStoredResult(const json::object& record, const envelope::Id& rootId, bool component,
                                       const envelope::KeyRing& keys) {
  auto* response = record.if_contains("response");
  if (response == nullptr || !response->is_object()) return fail("gateway.bad_upstream", "record has no response");
  const json::value* result = response->as_object().if_contains("result");
  json::value empty = json::object();
  if (result == nullptr) result = &empty;
  auto sealed = sealedResult(*result);
  if (!sealed) return std::unexpected(sealed.error());
  if (!*sealed) {
    // Platform failures (the invoker's own messages, a runtime's named refusal)
    // are plaintext strings: metadata, shown as given. A successful plaintext
    // result would be the controller speaking for the function.
    auto* success = response->as_object().if_contains("success");
    bool failed = success != nullptr && success->is_bool() && !success->as_bool();
    bool platformError = result->is_object() && result->as_object().size() == 1 &&
                         result->as_object().if_contains("error") != nullptr &&
                         result->as_object().at("error").is_string();
    bool empty = result->is_object() && result->as_object().empty();
    if (failed && (platformError || empty)) return StoredOutcome{platformErrorResult(*result), std::nullopt, true};
    return fail("gateway.unsealed_result", "the controller returned a plaintext result");
  }
  auto parsed = envelope::parse(**sealed);
  if (!parsed) return std::unexpected(parsed.error());
  const auto& h = parsed->header;
  auto body = envelope::open(*parsed, keys);
  if (!body) return std::unexpected(body.error());
  auto message = envelope::decodeMessageBody(*body);
  if (!message) return std::unexpected(message.error());
  if (crypto::sha256(message->chainSpecBytes) != h.chainId) return fail("envelope.chain_id_mismatch");
  if (h.id != rootId) return fail("gateway.substituted_result", "envelope belongs to another activation");
  std::string fqn = recordFqn(record);
  if (!component && message->chain.seq != fqn)
    return fail("gateway.chain_mismatch", "envelope is for " + message->chain.seq + ", record for " + fqn);
  if (component && !isSequenceRecord(record)) {
    bool inChain = false;
    for (const auto& link : message->chain.steps) inChain = inChain || link.fqn == fqn;
    if (!inChain) return fail("gateway.chain_mismatch", fqn + " is not a step of " + message->chain.seq);
  }
  switch (h.type) {
    case Type::result:
      if (h.step != h.steps) return fail("gateway.incomplete_chain", "step " + std::to_string(h.step));
      if (h.target != envelope::kGatewayTarget) return fail("gateway.wrong_target", h.target);
      break;
    case Type::error:
      if (h.step >= h.steps) return fail("gateway.incomplete_chain", "step " + std::to_string(h.step));
      if (h.target != envelope::kGatewayTarget) return fail("gateway.wrong_target", h.target);
      break;
    case Type::invoke:
      // An intermediate component's output: the INVOKE for the next step.
      if (!component) return fail("gateway.incomplete_chain", "top-level record holds an INVOKE");
      break;
    default:
      return fail("gateway.not_an_outcome", std::string("got ") + envelope::typeName(h.type));
  }
  auto value = payloadValue(message->payload);
  if (!value) return std::unexpected(value.error());
  return StoredOutcome{std::move(*value), message->logs, false};
}

Result<json::array> openLogs(const json::array& logs, const envelope::Id& rootId, bool sequenceRecord,
                             std::optional<envelope::LogCounts> counts, const envelope::KeyRing& keys) {
  constexpr std::string_view kMarker = "clemmys:";
  // A sequence's own record lists component ids; its outcome counts the last step's lines.
  envelope::LogOrder order(sequenceRecord ? std::nullopt : counts);
  json::array out;
  for (const auto& line : logs) {
    if (!line.is_string()) return fail("gateway.bad_upstream", "log line is not a string");
    std::string_view text = line.as_string();
    if (sequenceRecord && isActivationId(text)) {
      out.push_back(line);
      continue;
    }
    size_t pos = text.find(kMarker);
    if (pos == std::string_view::npos) {
      out.emplace_back("[unsealed] " + std::string(text));
      continue;
    }
    auto bytes = envelope::fromWire(text.substr(pos + kMarker.size()));
    if (!bytes) return std::unexpected(bytes.error());
    auto parsed = envelope::parse(*bytes);
    if (!parsed) return std::unexpected(parsed.error());
    if (parsed->header.type != Type::log) return fail("gateway.substituted_log", "not a LOG envelope");
    auto body = envelope::open(*parsed, keys);
    if (!body) return std::unexpected(body.error());
    if (parsed->header.id != rootId) return fail("gateway.substituted_log", "log line of another activation");
    auto logLine = envelope::decodeLogBody(*body);
    if (!logLine) return std::unexpected(logLine.error());
    order.add(*logLine);
    out.emplace_back(std::string(text.substr(0, pos)) + logLine->text);
  }
  if (auto st = order.check(); !st) return std::unexpected(st.error());
  return out;
}

Status openRecordInPlace(json::object& record, const envelope::Id& rootId, bool component,
                         const envelope::KeyRing& keys) {
  auto result = openStoredResult(record, rootId, component, keys);
  if (!result) return std::unexpected(result.error());
  if (result->platformError) markPlatformError(record);
  record["response"].as_object()["result"] = std::move(result->result);
  if (auto* logs = record.if_contains("logs"); logs != nullptr && logs->is_array()) {
    auto opened = openLogs(logs->as_array(), rootId, isSequenceRecord(record), result->logs, keys);
    if (!opened) return std::unexpected(opened.error());
    *logs = std::move(*opened);
  }
  return {};
}

}  // namespace clemmys::gateway
