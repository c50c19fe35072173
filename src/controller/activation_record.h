// Activation records in OpenWhisk's shape (entity/WhiskActivation.scala):
// {namespace, name, version, subject, publish, activationId, start, end, duration,
//  cause?, response{status, statusCode, success, result, size}, logs, annotations}.
// Pure functions; thread-safe.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "controller/action_doc.h"
#include "invoker/invoker.h"

namespace clemmys::controller {

namespace json = boost::json;

// Who and what an activation is for, fixed when it is admitted.
struct ActivationMeta {
  std::string id;
  std::string ns;       // the caller's namespace (records belong to it)
  std::string subject;  // the caller's subject name
  std::optional<std::string> cause;  // the enclosing sequence's activation id
};

// "success", "application error", "action developer error", "whisk internal error".
const char* statusText(int statusCode);
int httpStatusFor(int statusCode);  // 200, 502, 502, 500

json::object responseJson(int statusCode, json::value result);

// The record as known at start: stored as the pending row's document.
json::object recordSkeleton(const ActionEntity& action, const ActivationMeta& meta, int64_t startMs);

// Fills in an atomic action's outcome.
void completeAtomicRecord(json::object& record, const ActionEntity& action,
                          const ActivationMeta& meta, const invoker::RunResult& run);

// List form without docs: no response and no logs, statusCode at the top level.
json::object activationSummary(const json::object& record);

// True when `result` is an object holding "error" (OpenWhisk's sequence stop rule).
bool holdsError(const json::value& result);

}  // namespace clemmys::controller
