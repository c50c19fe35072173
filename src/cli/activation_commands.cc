// `clemmys activation ...`: list, get, result, logs.
#include <boost/json/serialize.hpp>

#include "cli/action_spec.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "http/message.h"

namespace clemmys::cli {

namespace json = boost::json;

namespace {

const std::string kActivations = "/api/v1/namespaces/_/activations";

int listActivations(CommandContext& ctx, const std::vector<std::string>& words) {
  auto args = parseVerb(
      ctx, "clemmys activation list [NAME] [--limit N] [--skip N] [--since MS] [--upto MS] [--json]",
      words, {{"limit", "l", 1}, {"skip", "s", 1}, {"since", "", 1}, {"upto", "", 1}}, 0, 1);
  if (!args) return args.error();
  Query query;
  if (!args->positionals.empty()) {
    // The server filters on the action's name (with its package), not the namespace.
    auto name = splitName(args->positionals[0]);
    if (!name) return reportUsage(ctx, name.error().message);
    query.emplace_back("name", name->path);
  }
  for (const char* flag : {"limit", "skip", "since", "upto"}) {
    if (auto text = args->value(flag)) {
      auto value = parseCount(*text, std::string("--") + flag);
      if (!value) return reportUsage(ctx, value.error().message);
      query.emplace_back(flag, std::to_string(*value));
    }
  }
  auto api = openApi(ctx, *args);
  if (!api) return kExitUsage;
  auto response = api->call("GET", kActivations, query);
  if (!response) return reportFailure(ctx, "Unable to list activations", response.error().str());
  if (!response->ok()) {
    return reportFailure(ctx, "Unable to list activations", response->errorMessage());
  }
  if (args->has("json")) {
    ctx.out << response->body << "\n";
  } else {
    ctx.out << formatActivationList(response->json);
  }
  return kExitOk;
}

// get, result and logs share the shape: one activation id, one GET.
int showActivation(CommandContext& ctx, const std::string& verb,
                   const std::vector<std::string>& words) {
  auto args = parseVerb(ctx, "clemmys activation " + verb + " ID [--json]", words, {}, 1, 1);
  if (!args) return args.error();
  const std::string& id = args->positionals[0];
  if (id.empty()) return reportUsage(ctx, "the activation id is empty");
  std::string path = kActivations + "/" + http::percentEncode(id);
  if (verb != "get") path += "/" + verb;
  auto api = openApi(ctx, *args);
  if (!api) return kExitUsage;
  std::string what = "Unable to get " + std::string(verb == "get" ? "activation" : verb) +
                     " of activation '" + id + "'";
  if (verb == "get") what = "Unable to get activation '" + id + "'";
  auto response = api->call("GET", path);
  if (!response) return reportFailure(ctx, what, response.error().str());
  if (!response->ok()) return reportFailure(ctx, what, response->errorMessage());
  if (args->has("json")) {
    ctx.out << response->body << "\n";
    return kExitOk;
  }
  const json::value& body = response->json;
  if (verb == "get") {
    ctx.out << "ok: got activation " << id << "\n" << prettyJson(body) << "\n";
  } else if (verb == "result") {
    const json::value* result = body.is_object() ? body.as_object().if_contains("result") : nullptr;
    ctx.out << prettyJson(result ? *result : body) << "\n";
  } else {
    const json::value* logs = body.is_object() ? body.as_object().if_contains("logs") : nullptr;
    if (logs && logs->is_array()) {
      for (const auto& line : logs->as_array()) {
        ctx.out << (line.is_string() ? std::string(line.as_string()) : json::serialize(line))
                << "\n";
      }
    }
  }
  return kExitOk;
}

}  // namespace

int activationCommand(CommandContext& ctx, const std::string& verb,
                      const std::vector<std::string>& words) {
  if (verb == "list") return listActivations(ctx, words);
  if (verb == "get" || verb == "result" || verb == "logs") return showActivation(ctx, verb, words);
  return reportUsage(ctx, "unknown command 'activation " + verb +
                              "' (expected list, get, result or logs)");
}

}  // namespace clemmys::cli
