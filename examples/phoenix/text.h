// The synthetic text corpus shared by word count and string match: words drawn from a
// fixed vocabulary with a skewed (roughly Zipf-like) distribution, 12 words per line.
// Thread safety: pure functions.
#pragma once

#include <cctype>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common.h"

namespace phoenix {

std::string generateText(uint64_t words, uint64_t seed);

// The corpus a text workload runs on: the "text" parameter when given, else
// generateText({"size" (default 10000 words), "seed" (default 1)}).
Expected<std::string> textInput(const json::object& params);

// Hash for unordered containers keyed by std::string that are looked up with
// string_views, so counting a word does not allocate.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Calls f(word) for each maximal run of ASCII letters, digits and apostrophes, lowercased.
// `word` is only valid during the call.
template <class F>
void forEachWord(std::string_view text, F&& f) {
  std::string word;
  auto isWordChar = [](unsigned char c) { return std::isalnum(c) || c == '\''; };
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && isWordChar(static_cast<unsigned char>(text[i]))) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
    } else if (!word.empty()) {
      f(std::string_view(word));
      word.clear();
    }
  }
}

}  // namespace phoenix
