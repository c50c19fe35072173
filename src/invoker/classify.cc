#include "invoker/classify.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

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

namespace {

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
  json::value v = json::parse(body, ec);
  if (httpStatus != 200) {
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
