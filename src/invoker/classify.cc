#include "invoker/classify.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "runtime/json_depth.h"

namespace clemmys::invoker {
namespace json = boost::json;

json::value errorResult(std::string_view message) {
  json::object o;
  o["error"] = message;
  return o;
}

std::string timeoutMessage(int timeoutMs) {
  return "The action exceeded its time limits of " + std::to_string(timeoutMs) +
         " milliseconds.";
}

std::string memoryMessage(int memoryMb) {
  return "The action exceeded its memory limit of " + std::to_string(memoryMb) + " MB.";
}

std::string abnormalRunMessage() {
  return "The action did not produce a valid response and exited unexpectedly.";
}

std::string abnormalInitMessage() {
  return "The action did not initialize and exited unexpectedly.";
}

std::string truncatedResultMessage(size_t length, size_t maxBytes) {
  return "The action produced a response that exceeded the allowed length: " +
         std::to_string(length) + " > " + std::to_string(maxBytes) + " bytes.";
}

std::string runtimeLostMessage() { return "The action's runtime exited unexpectedly (not the action's code)."; }

std::string runtimeStartMessage(std::string_view failure) {
  return "The action's runtime failed to start: " + std::string(failure);
}

bool isPlatformError(std::string_view name) {
  static constexpr std::string_view kPrefixes[] = {"envelope.", "kms.",    "kmsclient.", "attest.", "tee.",
                                                   "simtee.",   "http.",   "crypto.",    "invoker."};
  static constexpr std::string_view kRuntime[] = {
      "runtime.bad_config",         "runtime.bad_kms_cert",    "runtime.bad_request",
      "runtime.no_function_name",   "runtime.defaults_unbound", "runtime.defaults_dropped",
      "runtime.defaults_substituted", "runtime.files_unprotected", "runtime.log_pipe",
      "runtime.tempdir_failed",     "runtime.spawn_failed",    "runtime.prestart_lost"};
  // A name, not a sentence: lowercase words joined by one dot.
  auto dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  }
  if (name.find('.', dot + 1) != std::string_view::npos) return false;
  for (auto p : kPrefixes) {
    if (name.starts_with(p)) return true;
  }
  for (auto r : kRuntime) {
    if (name == r) return true;
  }
  return false;
}

std::optional<std::string> runtimeStartFailure(std::string_view line) {
  constexpr std::string_view kPrefix = "clemmys-runtime: ";
  if (!line.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = line.substr(kPrefix.size());
  auto colon = rest.find(':');
  if (!isPlatformError(rest.substr(0, colon))) return std::nullopt;
  constexpr size_t kMax = 512;
  return std::string(rest.substr(0, kMax));
}

namespace {

// The body's "error" when it is a platform error name.
bool platformErrorIn(const json::value& v) {
  if (!v.is_object()) return false;
  const auto* e = v.as_object().if_contains("error");
  return e != nullptr && e->is_string() && isPlatformError(e->get_string());
}

// Short, printable excerpt of an invalid body for the error message.
std::string excerpt(std::string_view body) {
  constexpr size_t kMax = 256;
  std::string s(body.substr(0, kMax));
  if (body.size() > kMax) s += "...";
  return s;
}

}  // namespace

Outcome classifyRunResponse(int httpStatus, std::string_view body, size_t maxBytes) {
  if (body.size() > maxBytes) {
    return {RunStatus::applicationError,
            errorResult(truncatedResultMessage(body.size(), maxBytes))};
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, carriedJsonOptions());
  if (httpStatus != 200) {
    if (!ec && platformErrorIn(v)) return {RunStatus::internalError, std::move(v)};
    if (!ec && v.is_object()) {
      if (auto* e = v.as_object().if_contains("error")) {
        json::object o;
        o["error"] = *e;
        return {RunStatus::developerError, std::move(o)};
      }
    }
    if (body.empty()) return {RunStatus::developerError, errorResult(abnormalRunMessage())};
    return {RunStatus::developerError,
            errorResult("The action did not produce a valid response: " + excerpt(body))};
  }
  if (ec) {
    return {RunStatus::developerError,
            errorResult("The action did not produce a valid JSON response: " + excerpt(body))};
  }
  if (v.is_array()) return {RunStatus::success, std::move(v)};
  if (v.is_object()) {
    bool hasError = v.as_object().contains("error");
    return {hasError ? RunStatus::applicationError : RunStatus::success, std::move(v)};
  }
  return {RunStatus::developerError,
          errorResult("The action did not return a dictionary or array.")};
}

Outcome classifyInitFailure(int httpStatus, std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && platformErrorIn(v)) {
    json::object o;
    o["error"] = v.as_object().at("error");
    return {RunStatus::internalError, std::move(o)};
  }
  if (!ec && v.is_object()) {
    if (auto* e = v.as_object().if_contains("error")) {
      json::object o;
      o["error"] = *e;
      return {RunStatus::developerError, std::move(o)};
    }
  }
  if (body.empty()) return {RunStatus::developerError, errorResult(abnormalInitMessage())};
  return {RunStatus::developerError,
          errorResult("The action failed to initialize (HTTP " + std::to_string(httpStatus) +
                      "): " + excerpt(body))};
}

}  // namespace clemmys::invoker
