#include "cli/cli.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <boost/json/serialize.hpp>

#include "cli/commands.h"
#include "cli/format.h"

namespace clemmys::cli {

namespace {

constexpr const char* kUsage =
    "usage: clemmys <group> <command> [flags]\n"
    "\n"
    "groups:\n"
    "  action      create, update, get, list, delete, invoke actions\n"
    "  activation  list, get, result, logs of activations\n"
    "  namespace   list namespaces\n"
    "  property    get the resolved client configuration\n"
    "\n"
    "global flags:\n"
    "  --apihost HOST   API host (overrides __OW_API_HOST and APIHOST)\n"
    "  -u, --auth KEY   uuid:key (overrides __OW_API_KEY and AUTH)\n"
    "  --props FILE     properties file (default $WSK_CONFIG_FILE, else ~/.wskprops)\n"
    "  --json           print the server's JSON response\n"
    "\n"
    "See doc/cli.md for every command.\n";

Environment processEnvironment() {
  Environment env;
  for (const char* name : {"HOME", "WSK_CONFIG_FILE", "__OW_API_HOST", "__OW_API_KEY"}) {
    if (const char* value = std::getenv(name)) env.vars[name] = value;
  }
  return env;
}

std::string maskSecret(const std::string& auth) {
  if (auth.empty()) return "";
  size_t colon = auth.find(':');
  std::string user = colon == std::string::npos ? "" : auth.substr(0, colon + 1);
  return user + "****** (use --reveal to show)";
}

}  // namespace

std::expected<ParsedArgs, int> parseVerb(CommandContext& ctx, const std::string& usage,
                                    const std::vector<std::string>& words,
                                    std::vector<FlagSpec> specs, size_t minPositionals,
                                    size_t maxPositionals) {
  for (auto& spec : globalFlags()) specs.push_back(spec);
  auto parsed = parseArgs(words, specs);
  if (!parsed) {
    ctx.err << "error: " << parsed.error().message << "\nusage: " << usage << "\n";
    return std::unexpected(kExitUsage);
  }
  if (parsed->has("help")) {
    ctx.out << "usage: " << usage << "\n";
    return std::unexpected(kExitOk);
  }
  size_t count = parsed->positionals.size();
  if (count < minPositionals || count > maxPositionals) {
    ctx.err << "error: " << (count < minPositionals ? "missing arguments" : "too many arguments")
            << "\nusage: " << usage << "\n";
    return std::unexpected(kExitUsage);
  }
  return std::move(*parsed);
}

std::optional<Api> openApi(CommandContext& ctx, const ParsedArgs& args) {
  auto config = resolveConfig({args.value("apihost"), args.value("auth"), args.value("props")},
                              ctx.env);
  if (!config) {
    ctx.err << "error: " << config.error().message << "\n";
    return std::nullopt;
  }
  if (config->apiHost.empty()) {
    ctx.err << "error: no API host configured: set APIHOST in " 
            << (config->propsPath.empty() ? "~/.wskprops" : config->propsPath)
            << ", __OW_API_HOST, or pass --apihost\n";
    return std::nullopt;
  }
  if (config->auth.empty()) {
    ctx.err << "error: no authorization key configured: set AUTH in "
            << (config->propsPath.empty() ? "~/.wskprops" : config->propsPath)
            << ", __OW_API_KEY, or pass --auth uuid:key\n";
    return std::nullopt;
  }
  auto endpoint = parseApiHost(config->apiHost);
  if (!endpoint) {
    ctx.err << "error: " << endpoint.error().message << "\n";
    return std::nullopt;
  }
  if (endpoint->scheme == "https") {
    // Clemmys' gateway has a certificate from the session CA: trust that, nothing else.
    if (config->caCert.empty()) {
      ctx.err << "error: an https API host needs CACERT (the session CA certificate) in the "
                 "properties file\n";
      return std::nullopt;
    }
    std::ifstream in(config->caCert);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in || pem.str().empty()) {
      ctx.err << "error: cannot read CACERT " << config->caCert << "\n";
      return std::nullopt;
    }
    endpoint->caPem = pem.str();
  }
  return Api(std::move(*endpoint), config->auth);
}

int reportFailure(CommandContext& ctx, const std::string& context, const std::string& message) {
  ctx.err << "error: " << context << ": " << message << "\n";
  return kExitError;
}

int reportUsage(CommandContext& ctx, const std::string& message) {
  ctx.err << "error: " << message << "\n";
  return kExitUsage;
}

int namespaceCommand(CommandContext& ctx, const std::string& verb,
                     const std::vector<std::string>& words) {
  if (verb != "list") return reportUsage(ctx, "unknown command 'namespace " + verb + "'");
  auto args = parseVerb(ctx, "clemmys namespace list [--json]", words, {}, 0, 0);
  if (!args) return args.error();
  auto api = openApi(ctx, *args);
  if (!api) return kExitUsage;
  auto response = api->call("GET", "/api/v1/namespaces");
  if (!response) return reportFailure(ctx, "Unable to list namespaces", response.error().str());
  if (!response->ok()) {
    return reportFailure(ctx, "Unable to list namespaces", response->errorMessage());
  }
  if (args->has("json")) {
    ctx.out << response->body << "\n";
    return kExitOk;
  }
  ctx.out << "namespaces\n";
  if (response->json.is_array()) {
    for (const auto& ns : response->json.as_array()) {
      ctx.out << (ns.is_string() ? std::string(ns.as_string()) : boost::json::serialize(ns))
              << "\n";
    }
  }
  return kExitOk;
}

int propertyCommand(CommandContext& ctx, const std::string& verb,
                    const std::vector<std::string>& words) {
  if (verb != "get") return reportUsage(ctx, "unknown command 'property " + verb + "'");
  auto args = parseVerb(ctx, "clemmys property get [--reveal]", words, {{"reveal", "", 0}}, 0, 0);
  if (!args) return args.error();
  auto config = resolveConfig({args->value("apihost"), args->value("auth"), args->value("props")},
                              ctx.env);
  if (!config) return reportUsage(ctx, config.error().message);
  auto source = [](const std::string& s) { return s.empty() ? std::string() : " (" + s + ")"; };
  std::vector<std::vector<std::string>> rows{
      {"properties file", config->propsPath},
      {"whisk API host", config->apiHost + source(config->apiHostSource)},
      {"whisk auth", (args->has("reveal") ? config->auth : maskSecret(config->auth)) +
                         source(config->authSource)},
      {"whisk cacert", config->caCert}};
  ctx.out << formatTable(rows);
  return kExitOk;
}

int runWith(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
            std::ostream& err) {
  CommandContext ctx{env, out, err};
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string& group = args[0];
  if (args.size() < 2 || args[1].starts_with('-')) {
    if (args.size() >= 2 && (args[1] == "--help" || args[1] == "-h")) {
      out << kUsage;
      return kExitOk;
    }
    err << "error: missing command after '" << group << "'\n" << kUsage;
    return kExitUsage;
  }
  const std::string& verb = args[1];
  std::vector<std::string> words(args.begin() + 2, args.end());
  if (group == "action") return actionCommand(ctx, verb, words);
  if (group == "activation") return activationCommand(ctx, verb, words);
  if (group == "namespace") return namespaceCommand(ctx, verb, words);
  if (group == "property") return propertyCommand(ctx, verb, words);
  err << "error: unknown command group '" << group << "'\n" << kUsage;
  return kExitUsage;
}

int run(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return runWith(args, processEnvironment(), out, err);
}

}  // namespace clemmys::cli
