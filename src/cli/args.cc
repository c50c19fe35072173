#include "cli/args.h"

#include <charconv>

namespace clemmys::cli {

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty() || it->second.back().empty()) return std::nullopt;
  return it->second.back().front();
}

const std::vector<std::vector<std::string>>& ParsedArgs::all(const std::string& name) const {
  static const std::vector<std::vector<std::string>> kNone;  // immutable empty value
  auto it = flags.find(name);
  return it == flags.end() ? kNone : it->second;
}

std::vector<FlagSpec> globalFlags() {
  return {{"apihost", "", 1}, {"auth", "u", 1}, {"props", "", 1}, {"json", "", 0},
          {"help", "h", 0}};
}

namespace {

const FlagSpec* findSpec(const std::vector<FlagSpec>& specs, std::string_view word,
                         bool isLong) {
  for (const auto& spec : specs) {
    if (isLong ? spec.name == word : (!spec.alias.empty() && spec.alias == word)) return &spec;
  }
  return nullptr;
}

}  // namespace

Result<ParsedArgs> parseArgs(const std::vector<std::string>& args,
                             const std::vector<FlagSpec>& specs) {
  ParsedArgs parsed;
  bool flagsEnded = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    // A lone "-" and negative numbers are values, not flags.
    bool looksLikeFlag = word.size() > 1 && word[0] == '-' &&
                         !(word[1] >= '0' && word[1] <= '9');
    if (flagsEnded || !looksLikeFlag) {
      parsed.positionals.push_back(word);
      continue;
    }
    if (word == "--") {
      flagsEnded = true;
      continue;
    }
    bool isLong = word.starts_with("--");
    std::string body = word.substr(isLong ? 2 : 1);
    std::optional<std::string> inlineValue;
    if (auto eq = body.find('='); isLong && eq != std::string::npos) {
      inlineValue = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const FlagSpec* spec = findSpec(specs, body, isLong);
    if (spec == nullptr) return fail("cli.usage", "unknown flag '" + word + "'");
    std::vector<std::string> values;
    if (inlineValue) {
      if (spec->arity != 1) {
        return fail("cli.usage", "flag '--" + spec->name + "' does not take '=value'");
      }
      values.push_back(*inlineValue);
    } else {
      if (i + static_cast<size_t>(spec->arity) >= args.size() && spec->arity > 0) {
        return fail("cli.usage", "flag '" + word + "' needs " + std::to_string(spec->arity) +
                                     (spec->arity == 1 ? " value" : " values"));
      }
      for (int k = 0; k < spec->arity; ++k) values.push_back(args[++i]);
    }
    parsed.flags[spec->name].push_back(std::move(values));
  }
  return parsed;
}

Result<long long> parseCount(std::string_view text, std::string_view what) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return fail("cli.usage", std::string(what) + " must be a non-negative integer, got '" +
                                 std::string(text) + "'");
  }
  return value;
}

}  // namespace clemmys::cli
