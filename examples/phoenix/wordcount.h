// Phoenix word count: occurrences of each word (case-insensitive), the most frequent
// first. Input {"text": "..."} inline, or {"size": words, "seed": S} generated.
// Optional "top" (default 10): how many words the summary lists.
#pragma once

#include <string>
#include <vector>

#include "common.h"

namespace phoenix::wordcount {

struct Count {
  std::string word;
  uint64_t count = 0;
};
struct Summary {
  uint64_t totalWords = 0;
  uint64_t uniqueWords = 0;
  std::vector<Count> top;  // by count descending, then word ascending
};

Summary count(std::string_view text, size_t topK);
json::value toJson(const Summary& summary);
json::object generateInput(uint64_t size, uint64_t seed);
Expected<Job> prepare(const json::object& params);

}  // namespace phoenix::wordcount
