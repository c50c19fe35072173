// Command-line parsing for the `clemmys` client commands: a small flag grammar in the
// style of `wsk` (long and short names, fixed arity, repeatable flags, `--flag=value`).
// Thread safety: pure functions over values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace clemmys::cli {

// One accepted flag. `arity` is the number of values that follow it (0 for a switch,
// 2 for `-p KEY VALUE`).
struct FlagSpec {
  std::string name;   // canonical long name without dashes: "param"
  std::string alias;  // optional short name without dash: "p"
  int arity = 0;
};

struct ParsedArgs {
  std::vector<std::string> positionals;
  // Canonical flag name -> each occurrence's values, in command-line order.
  std::map<std::string, std::vector<std::vector<std::string>>> flags;

  bool has(const std::string& name) const { return flags.contains(name); }
  // Value of the last occurrence of a one-value flag.
  std::optional<std::string> value(const std::string& name) const;
  // All occurrences of a flag (empty when absent).
  const std::vector<std::vector<std::string>>& all(const std::string& name) const;
};

// Flags every command accepts (configuration and output).
std::vector<FlagSpec> globalFlags();

// Parses `args` (the words after the command group and verb). Errors: "cli.usage" for an
// unknown flag or a flag missing its values. "--" ends flag parsing.
Result<ParsedArgs> parseArgs(const std::vector<std::string>& args,
                             const std::vector<FlagSpec>& specs);

// Parses a non-negative integer flag value; `what` names it in the error message.
Result<long long> parseCount(std::string_view text, std::string_view what);

}  // namespace clemmys::cli
