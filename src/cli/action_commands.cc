// `clemmys action ...`: create, update, get, list, delete, invoke.
#include <boost/json/serialize.hpp>

#include <sstream>

#include "cli/action_spec.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/format.h"

namespace clemmys::cli {

namespace json = boost::json;

namespace {

using Entries = std::vector<std::pair<std::string, json::value>>;

const char* kCreateUsage =
    "clemmys action create|update NAME [FILE] [--kind K] [--main M] [-p KEY VALUE]... "
    "[-P|--param-file F] [-a|--annotation KEY VALUE]... [-A|--annotation-file F] "
    "[--sequence a,b,c] [-t|--timeout MS] [-m|--memory MB] [-l|--logsize MB] [--json]";
const char* kInvokeUsage =
    "clemmys action invoke NAME [-p KEY VALUE]... [-P|--param-file F] [-b|--blocking] "
    "[-r|--result] [--json]";

// Blocking invokes wait on the server for up to 60 s; leave room for the response.
constexpr std::chrono::seconds kInvokeTimeout{75};

// OpenWhisk's (and Clemmys') limit on request entities.
constexpr size_t kLargeBody = 1 << 20;

// -P/-p (or -A/-a) in command-line order: file entries first, then single values, so a
// -p given on the command line overrides the same key from the file.
std::expected<Entries, int> collectEntries(CommandContext& ctx, const ParsedArgs& args,
                                           const std::string& flag,
                                           const std::string& fileFlag) {
  Entries entries;
  for (const auto& occurrence : args.all(fileFlag)) {
    auto loaded = loadParamFile(occurrence.at(0));
    if (!loaded) return std::unexpected(reportUsage(ctx, loaded.error().message));
    for (auto& entry : *loaded) entries.push_back(std::move(entry));
  }
  for (const auto& occurrence : args.all(flag)) {
    entries.emplace_back(occurrence.at(0), parseParamValue(occurrence.at(1)));
  }
  return entries;
}

std::vector<std::string> splitComma(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) parts.push_back(part);
  if (!text.empty() && text.back() == ',') parts.emplace_back();
  return parts;
}

int createOrUpdate(CommandContext& ctx, bool update, const std::vector<std::string>& words) {
  auto args = parseVerb(ctx, kCreateUsage, words,
                        {{"kind", "", 1},
                         {"main", "", 1},
                         {"param", "p", 2},
                         {"param-file", "P", 1},
                         {"annotation", "a", 2},
                         {"annotation-file", "A", 1},
                         {"sequence", "", 1},
                         {"timeout", "t", 1},
                         {"memory", "m", 1},
                         {"logsize", "l", 1}},
                        1, 2);
  if (!args) return args.error();
  ActionSpec spec;
  spec.update = update;
  spec.name = args->positionals[0];
  if (args->positionals.size() == 2) spec.codePath = args->positionals[1];
  spec.kind = args->value("kind");
  spec.main = args->value("main");
  if (auto sequence = args->value("sequence")) spec.sequence = splitComma(*sequence);
  auto params = collectEntries(ctx, *args, "param", "param-file");
  if (!params) return params.error();
  spec.params = std::move(*params);
  auto annotations = collectEntries(ctx, *args, "annotation", "annotation-file");
  if (!annotations) return annotations.error();
  spec.annotations = std::move(*annotations);
  struct Limit {
    const char* flag;
    std::optional<long long>& target;
  };
  for (Limit limit : {Limit{"timeout", spec.timeoutMs}, Limit{"memory", spec.memoryMb},
                      Limit{"logsize", spec.logsMb}}) {
    if (auto text = args->value(limit.flag)) {
      auto value = parseCount(*text, std::string("--") + limit.flag);
      if (!value) return reportUsage(ctx, value.error().message);
      limit.target = *value;
    }
  }
  auto name = splitName(spec.name);
  if (!name) return reportUsage(ctx, name.error().message);
  auto body = buildActionBody(spec);
  if (!body) return reportUsage(ctx, body.error().message);
  auto api = openApi(ctx, *args);
  if (!api) return kExitUsage;

  std::string what = std::string("Unable to ") + (update ? "update" : "create") + " action '" +
                     spec.name + "'";
  json::value payload(*body);
  auto response = api->call("PUT", entityPath(*name, "actions"),
                            {{"overwrite", update ? "true" : "false"}}, payload);
  if (!response) {
    // A server that refuses an oversized body may close the connection before reading
    // it, which the client sees as a write error rather than a 413.
    size_t bytes = json::serialize(payload).size();
    std::string hint = bytes > kLargeBody ? " (the request body was " + std::to_string(bytes) +
                                                " bytes; the server may refuse bodies over 1 MB:"
                                                " strip the binary or shrink the code)"
                                          : "";
    return reportFailure(ctx, what, response.error().str() + hint);
  }
  if (!response->ok()) return reportFailure(ctx, what, response->errorMessage());
  if (args->has("json")) {
    ctx.out << response->body << "\n";
  } else {
    ctx.out << "ok: " << (update ? "updated" : "created") << " action " << spec.name << "\n";
  }
  return kExitOk;
}

int getAction(CommandContext& ctx, const std::vector<std::string>& words) {
  auto args = parseVerb(ctx, "clemmys action get NAME [--json]", words, {}, 1, 1);
  if (!args) return args.error();
  auto name = splitName(args->positionals[0]);
  if (!name) return reportUsage(ctx, name.error().message);
  auto api = openApi(ctx, *args);
  if (!api) return kExitUsage;
  std::string what = "Unable to get action '" + args->positionals[0] + "'";
  auto response = api->call("GET", entityPath(*name, "actions"));
  if (!response) return reportFailure(ctx, what, response.error().str());
  if (!response->ok()) return reportFailure(ctx, what, response->errorMessage());
  if (args->has("json")) {
    ctx.out << response->body << "\n";
  } else {
    ctx.out << "ok: got action " << args->positionals[0] << "\n"
            << prettyJson(response->json) << "\n";
  }
  return kExitOk;
}

int listActions(CommandContext& ctx, const std::vector<std::string>& words) {
  auto args = parseVerb(ctx, "clemmys action list [NAMESPACE] [--limit N] [--skip N] [--json]",
                        words, {{"limit", "l", 1}, {"skip", "s", 1}}, 0, 1);
  if (!args) return args.error();
  Query query;
  for (const char* flag : {"limit", "skip"}) {
    if (auto text = args->value(flag)) {
      auto value = parseCount(*text, std::string("--") + flag);
      if (!value) return reportUsage(ctx, value.error().message);
      query.emplace_back(flag, std::to_string(*value));
    }
  }
  std::string ns = "_";
  if (!args->positionals.empty()) {
    ns = args->positionals[0];
    while (ns.starts_with('/')) ns.erase(0, 1);
    if (ns.empty() || ns.find('/') != std::string::npos) {
      return reportUsage(ctx, "malformed namespace '" + args->positionals[0] + "'");
    }
  }
  auto api = openApi(ctx, *args);
  if (!api) return kExitUsage;
  auto response = api->call("GET", "/api/v1/namespaces/" + http::percentEncode(ns) + "/actions",
                            query);
  if (!response) return reportFailure(ctx, "Unable to list actions", response.error().str());
  if (!response->ok()) return reportFailure(ctx, "Unable to list actions", response->errorMessage());
  if (args->has("json")) {
    ctx.out << response->body << "\n";
  } else {
    ctx.out << formatActionList(response->json);
  }
  return kExitOk;
}

int deleteAction(CommandContext& ctx, const std::vector<std::string>& words) {
  auto args = parseVerb(ctx, "clemmys action delete NAME [--json]", words, {}, 1, 1);
  if (!args) return args.error();
  auto name = splitName(args->positionals[0]);
  if (!name) return reportUsage(ctx, name.error().message);
  auto api = openApi(ctx, *args);
  if (!api) return kExitUsage;
  std::string what = "Unable to delete action '" + args->positionals[0] + "'";
  auto response = api->call("DELETE", entityPath(*name, "actions"));
  if (!response) return reportFailure(ctx, what, response.error().str());
  if (!response->ok()) return reportFailure(ctx, what, response->errorMessage());
  if (args->has("json")) {
    ctx.out << response->body << "\n";
  } else {
    ctx.out << "ok: deleted action " << args->positionals[0] << "\n";
  }
  return kExitOk;
}

std::string activationIdOf(const ApiResponse& response) {
  if (response.activationIdHeader) return *response.activationIdHeader;
  if (response.json.is_object()) {
    const auto& object = response.json.as_object();
    if (auto it = object.find("activationId"); it != object.end() && it->value().is_string()) {
      return std::string(it->value().as_string());
    }
  }
  return {};
}

// The action's result inside an activation record, or the body itself when the server
// returned only the result.
json::value resultOf(const json::value& body, bool resultOnly) {
  if (resultOnly || !body.is_object()) return body;
  const auto& record = body.as_object();
  auto response = record.find("response");
  if (response == record.end() || !response->value().is_object()) return body;
  auto result = response->value().as_object().find("result");
  return result == response->value().as_object().end() ? json::value() : result->value();
}

int invokeAction(CommandContext& ctx, const std::vector<std::string>& words) {
  auto args = parseVerb(ctx, kInvokeUsage, words,
                        {{"param", "p", 2},
                         {"param-file", "P", 1},
                         {"blocking", "b", 0},
                         {"result", "r", 0}},
                        1, 1);
  if (!args) return args.error();
  const std::string& given = args->positionals[0];
  auto name = splitName(given);
  if (!name) return reportUsage(ctx, name.error().message);
  auto params = collectEntries(ctx, *args, "param", "param-file");
  if (!params) return params.error();
  bool resultOnly = args->has("result");
  bool blocking = resultOnly || args->has("blocking");
  auto api = openApi(ctx, *args);
  if (!api) return kExitUsage;

  Query query{{"blocking", blocking ? "true" : "false"}};
  if (resultOnly) query.emplace_back("result", "true");
  std::string what = "Unable to invoke action '" + given + "'";
  auto response = api->call("POST", entityPath(*name, "actions"), query,
                            json::value(keyValueObject(*params)), kInvokeTimeout);
  if (!response) return reportFailure(ctx, what, response.error().str());
  std::string id = activationIdOf(*response);
  std::string qualified = qualifyName(given);
  // 202: non-blocking, or blocking but still running when the server stopped waiting.
  if (response->status == 202) {
    if (args->has("json")) {
      ctx.out << response->body << "\n";
    } else {
      ctx.out << "ok: invoked " << qualified << " with id " << id << "\n";
      if (blocking) {
        ctx.out << "the activation is still running; fetch its result with: clemmys "
                   "activation result "
                << id << "\n";
      }
    }
    return kExitOk;
  }
  bool finished = response->status == 200 || response->status == 502;
  if (!finished || response->json.is_null()) {
    return reportFailure(ctx, what, response->errorMessage());
  }
  if (args->has("json")) {
    ctx.out << response->body << "\n";
  } else if (resultOnly) {
    ctx.out << prettyJson(response->json) << "\n";
  } else {
    ctx.out << "ok: invoked " << qualified << " with id " << id << "\n"
            << prettyJson(resultOf(response->json, false)) << "\n";
  }
  if (response->status == 502) {
    json::value result = resultOf(response->json, resultOnly);
    ApiResponse failed{response->status, {}, result, {}};
    std::string status = activationStatus(response->json);
    std::string message = failed.errorMessage();
    if (!resultOnly && !status.empty() && status != "unknown") message = status + ": " + message;
    return reportFailure(ctx, "action '" + given + "' failed", message);
  }
  return kExitOk;
}

}  // namespace

int actionCommand(CommandContext& ctx, const std::string& verb,
                  const std::vector<std::string>& words) {
  if (verb == "create") return createOrUpdate(ctx, false, words);
  if (verb == "update") return createOrUpdate(ctx, true, words);
  if (verb == "get") return getAction(ctx, words);
  if (verb == "list") return listActions(ctx, words);
  if (verb == "delete") return deleteAction(ctx, words);
  if (verb == "invoke") return invokeAction(ctx, words);
  return reportUsage(ctx, "unknown command 'action " + verb +
                              "' (expected create, update, get, list, delete or invoke)");
}

}  // namespace clemmys::cli
