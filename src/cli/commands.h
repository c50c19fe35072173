// Internal: the command groups behind cli::runWith. Each takes the verb's words (after
// the group and verb), prints to ctx.out/ctx.err and returns an exit status.
// Thread safety: none.
#pragma once

#include <expected>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/api.h"
#include "cli/args.h"
#include "cli/config.h"

namespace clemmys::cli {

struct CommandContext {
  const Environment& env;
  std::ostream& out;
  std::ostream& err;
};

// Parses the verb's flags (plus the global ones) and checks the positional count.
// When the command should stop here (usage error printed, or --help answered) the
// unexpected value is the exit status.
std::expected<ParsedArgs, int> parseVerb(CommandContext& ctx, const std::string& usage,
                                    const std::vector<std::string>& words,
                                    std::vector<FlagSpec> specs, size_t minPositionals,
                                    size_t maxPositionals);

// Resolves the configuration from the parsed global flags and opens the API; prints a
// configuration error and returns nullopt on failure.
std::optional<Api> openApi(CommandContext& ctx, const ParsedArgs& args);

// Prints "error: <context>: <message>" and returns kExitError.
int reportFailure(CommandContext& ctx, const std::string& context, const std::string& message);
// Prints "error: <message>" for a pre-flight problem and returns kExitUsage.
int reportUsage(CommandContext& ctx, const std::string& message);

int actionCommand(CommandContext& ctx, const std::string& verb,
                  const std::vector<std::string>& words);
int activationCommand(CommandContext& ctx, const std::string& verb,
                      const std::vector<std::string>& words);
int namespaceCommand(CommandContext& ctx, const std::string& verb,
                     const std::vector<std::string>& words);
int propertyCommand(CommandContext& ctx, const std::string& verb,
                    const std::vector<std::string>& words);

}  // namespace clemmys::cli
