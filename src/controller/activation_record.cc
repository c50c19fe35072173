#include "controller/activation_record.h"

namespace clemmys::controller {

const char* statusText(int statusCode) {
  switch (statusCode) {
    case 0: return "success";
    case 1: return "application error";
    case 2: return "action developer error";
    default: return "whisk internal error";
  }
}

int httpStatusFor(int statusCode) {
  switch (statusCode) {
    case 0: return 200;
    case 1:
    case 2: return 502;
    default: return 500;
  }
}

json::object responseJson(int statusCode, json::value result) {
  json::object r;
  r["status"] = statusText(statusCode);
  r["statusCode"] = statusCode;
  r["success"] = statusCode == 0;
  r["size"] = static_cast<int64_t>(json::serialize(result).size());
  r["result"] = std::move(result);
  return r;
}

namespace {

json::object limitsJson(const invoker::ActionLimits& l) {
  return json::object{{"timeout", l.timeoutMs},
                      {"memory", l.memoryMb},
                      {"logs", l.logsMb},
                      {"concurrency", l.concurrency}};
}

json::object annotation(std::string_view key, json::value value) {
  return json::object{{"key", key}, {"value", std::move(value)}};
}
json::object annotation(std::string_view key, const std::string& value) {
  return annotation(key, json::value(json::string(value)));
}

}  // namespace

json::object recordSkeleton(const ActionEntity& action, const ActivationMeta& meta,
                            int64_t startMs) {
  json::object r;
  r["namespace"] = meta.ns;
  r["name"] = action.name.simpleName();
  r["version"] = action.code.version;
  r["subject"] = meta.subject;
  r["publish"] = false;
  r["activationId"] = meta.id;
  r["start"] = startMs;
  if (meta.cause) r["cause"] = *meta.cause;
  json::array ann;
  ann.push_back(annotation("path", action.name.ns + "/" + action.name.path));
  ann.push_back(annotation("kind", action.kind));
  ann.push_back(annotation("limits", limitsJson(action.code.limits)));
  if (meta.cause) ann.push_back(annotation("causedBy", json::value("sequence")));
  r["annotations"] = std::move(ann);
  return r;
}

void completeAtomicRecord(json::object& r, const ActionEntity& action, const ActivationMeta& meta,
                          const invoker::RunResult& run) {
  int status = static_cast<int>(run.status);
  // OpenWhisk's start covers the initialisation of a cold start.
  int64_t start = run.startMs - run.initTimeMs.value_or(0);
  int64_t end = run.endMs;
  if (run.startMs == 0) start = end = r["start"].as_int64();
  if (end < start) end = start;
  r["start"] = start;
  r["end"] = end;
  r["duration"] = end - start;
  json::value result = run.result;
  if (!result.is_object() && !result.is_array()) result = json::object();
  r["response"] = responseJson(status, std::move(result));
  json::array logs;
  logs.reserve(run.logs.size());
  for (auto& line : run.logs) logs.emplace_back(line);
  r["logs"] = std::move(logs);
  json::array ann;
  ann.push_back(annotation("path", action.name.ns + "/" + action.name.path));
  ann.push_back(annotation("waitTime", run.waitTimeMs));
  ann.push_back(annotation("kind", action.kind));
  if (run.timedOut) ann.push_back(annotation("timeout", true));
  ann.push_back(annotation("limits", limitsJson(action.code.limits)));
  if (run.initTimeMs) ann.push_back(annotation("initTime", *run.initTimeMs));
  if (meta.cause) ann.push_back(annotation("causedBy", json::value("sequence")));
  r["annotations"] = std::move(ann);
}

json::object activationSummary(const json::object& record) {
  json::object s;
  for (auto& [k, v] : record) {
    if (k == "response" || k == "logs") continue;
    s[k] = v;
  }
  if (auto* resp = record.if_contains("response"))
    if (auto* code = resp->as_object().if_contains("statusCode")) s["statusCode"] = *code;
  return s;
}

bool holdsError(const json::value& result) {
  return result.is_object() && result.as_object().contains("error");
}

}  // namespace clemmys::controller
