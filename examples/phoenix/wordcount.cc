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
  auto input = textInput(params);
  if (!input) return std::unexpected(input.error());
  std::string text = std::move(*input);
  size_t k = *topK;
  return Job([text = std::move(text), k] { return toJson(count(text, k)); });
}

}  // namespace phoenix::wordcount
