#include "string_match.h"

#include <unordered_map>

#include "text.h"

namespace phoenix::string_match {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::vector<std::string> kDefaultKeys = {"clemmys", "enclave", "phoenix", "absent"};

}  // namespace

Summary match(std::string_view text, const std::vector<std::string>& keys) {
  std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>> wanted;
  for (const auto& key : keys) wanted.emplace(lower(key), 0);
  Summary summary;
  forEachWord(text, [&](std::string_view word) {
    ++summary.wordsScanned;
    if (auto it = wanted.find(word); it != wanted.end()) ++it->second;
  });
  for (const auto& key : keys) summary.matches.emplace_back(key, wanted.at(lower(key)));
  return summary;
}

json::value toJson(const Summary& summary) {
  json::object matches;
  uint64_t total = 0;
  for (const auto& [key, n] : summary.matches) {
    matches[key] = n;
    total += n;
  }
  return json::object{{"words_scanned", summary.wordsScanned},
                      {"total_matches", total},
                      {"matches", std::move(matches)}};
}

json::object generateInput(uint64_t size, uint64_t seed) {
  json::array keys;
  for (const auto& key : kDefaultKeys) keys.push_back(json::string(key));
  return json::object{{"text", generateText(size, seed)}, {"keys", std::move(keys)}};
}

Expected<Job> prepare(const json::object& params) {
  std::vector<std::string> keys = kDefaultKeys;
  if (const json::value* given = params.if_contains("keys")) {
    if (!given->is_array()) return failWith("'keys' must be an array of strings");
    keys.clear();
    for (const auto& key : given->as_array()) {
      if (!key.is_string()) return failWith("'keys' must be an array of strings");
      keys.emplace_back(key.as_string());
    }
  }
  auto input = textInput(params);
  if (!input) return std::unexpected(input.error());
  std::string text = std::move(*input);
  return Job([text = std::move(text), keys = std::move(keys)] { return toJson(match(text, keys)); });
}

}  // namespace phoenix::string_match
