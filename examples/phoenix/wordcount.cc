#include "wordcount.h"

#include <algorithm>
#include <unordered_map>

#include "text.h"

namespace phoenix::wordcount {

Summary count(std::string_view text, size_t topK) {
  std::unordered_map<std::string, uint64_t, StringHash, std::equal_to<>> counts;
  Summary summary;
  forEachWord(text, [&](std::string_view word) {
    if (auto it = counts.find(word); it != counts.end()) {
      ++it->second;
    } else {
      counts.emplace(word, 1);
    }
    ++summary.totalWords;
  });
  summary.uniqueWords = counts.size();
  std::vector<Count> all;
  all.reserve(counts.size());
  for (auto& [word, n] : counts) all.push_back({word, n});
  auto order = [](const Count& a, const Count& b) {
    return a.count != b.count ? a.count > b.count : a.word < b.word;
  };
  size_t keep = std::min(topK, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(), order);
  all.resize(keep);
  summary.top = std::move(all);
  return summary;
}

json::value toJson(const Summary& summary) {
  json::array top;
  for (const auto& c : summary.top) top.push_back(json::object{{"word", c.word}, {"count", c.count}});
  return json::object{{"total_words", summary.totalWords},
                      {"unique_words", summary.uniqueWords},
                      {"top", std::move(top)}};
}

json::object generateInput(uint64_t size, uint64_t seed) {
  return json::object{{"text", generateText(size, seed)}};
}

Expected<Job> prepare(const json::object& params) {
  auto topK = readUint(params, "top", 10, 0, 10000);
  if (!topK) return std::unexpected(topK.error());
  std::string text;
  if (const json::value* given = params.if_contains("text")) {
    if (!given->is_string()) return failWith("'text' must be a string");
    text = std::string(given->as_string());
  } else {
    auto size = readUint(params, "size", 10000, 0, 50'000'000);
    auto seed = readUint(params, "seed", 1, 0, UINT64_MAX);
    if (!size) return std::unexpected(size.error());
    if (!seed) return std::unexpected(seed.error());
    text = generateText(*size, *seed);
  }
  size_t k = *topK;
  return Job([text = std::move(text), k] { return toJson(count(text, k)); });
}

}  // namespace phoenix::wordcount
