// Phoenix string match: how often each key occurs as a whole word (case-insensitive) in
// the text. Input {"text": "...", "keys": [..]} inline, or {"size": words, "seed": S,
// "keys": [..]} generated; keys default to ["clemmys", "enclave", "phoenix", "absent"].
#pragma once

#include <string>
#include <vector>

#include "common.h"

namespace phoenix::string_match {

struct Summary {
  uint64_t wordsScanned = 0;
  std::vector<std::pair<std::string, uint64_t>> matches;  // in key order
};

Summary match(std::string_view text, const std::vector<std::string>& keys);
json::value toJson(const Summary& summary);
json::object generateInput(uint64_t size, uint64_t seed);
Expected<Job> prepare(const json::object& params);

}  // namespace phoenix::string_match
