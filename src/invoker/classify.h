// Turning a runtime's /init and /run answers into OpenWhisk activation outcomes
// (ActivationResponse.processRunResponseContent in OpenWhisk), plus the fixed error
// messages the invoker reports. Pure functions; thread-safe.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "invoker/invoker.h"

namespace clemmys::invoker {

inline constexpr size_t kMaxResultBytes = 1 << 20;  // OpenWhisk's 1 MB result limit

struct Outcome {
  RunStatus status;
  boost::json::value result;  // object or array
};

// 200 + object without "error" → success; 200 + array → success; 200 + object with
// "error" → application error; 200 + other JSON → developer error; non-200 whose
// "error" is a platform error name → whisk internal error; other non-200 →
// developer error carrying the body's "error" if any; not JSON → developer error;
// body over maxBytes → application error "...exceeded the allowed length...".
Outcome classifyRunResponse(int httpStatus, std::string_view body,
                            size_t maxBytes = kMaxResultBytes);

// /init failed with an HTTP answer: whisk internal error when its "error" is a
// platform error name, else developer error with its "error" if any.
Outcome classifyInitFailure(int httpStatus, std::string_view body);

// True for the named errors of the parts that are not the function (doc/invoker.md,
// "Blame"): a runtime answering with one of them failed for the platform's reasons.
bool isPlatformError(std::string_view name);

// `line` (one stderr line, without its newline) is a runtime's start failure,
// "clemmys-runtime: <platform error name>: …": the message from the name on.
std::optional<std::string> runtimeStartFailure(std::string_view line);

boost::json::value errorResult(std::string_view message);

std::string timeoutMessage(int timeoutMs);    // "The action exceeded its time limits of N milliseconds."
std::string memoryMessage(int memoryMb);      // "The action exceeded its memory limit of N MB."
std::string abnormalRunMessage();             // process died / connection lost during /run
std::string abnormalInitMessage();            // process died / connection lost during /init
std::string truncatedResultMessage(size_t length, size_t maxBytes);
std::string runtimeLostMessage();             // the runtime (not an in-process function) died during /run
std::string runtimeStartMessage(std::string_view failure);  // the runtime failed to start

}  // namespace clemmys::invoker
