#include "text.h"

#include <array>

#include "common.h"

namespace phoenix {

namespace {

constexpr std::array<std::string_view, 48> kVocabulary = {
    "the",      "of",       "and",      "to",       "in",        "a",        "is",
    "function", "enclave",  "clemmys",  "secure",   "data",      "key",      "phoenix",
    "map",      "reduce",   "result",   "chain",    "trust",     "attest",   "memory",
    "page",     "heap",     "thread",   "message",  "gateway",   "runtime",  "policy",
    "session",  "secret",   "cloud",    "server",   "invoke",    "sequence", "action",
    "activation","platform","hardware", "quote",    "measure",   "verify",   "seal",
    "open",     "cipher",   "nonce",    "tag",      "replay",    "epoch"};

}  // namespace

std::string generateText(uint64_t words, uint64_t seed) {
  Rng rng(seed);
  std::string text;
  text.reserve(words * 7);
  for (uint64_t i = 0; i < words; ++i) {
    // u^2 favours small indices: "the" is frequent, "epoch" rare.
    double u = rng.unit();
    size_t index = static_cast<size_t>(u * u * kVocabulary.size());
    text += kVocabulary[index];
    text += (i + 1) % 12 == 0 ? '\n' : ' ';
  }
  return text;
}

Expected<std::string> textInput(const json::object& params) {
  if (const json::value* given = params.if_contains("text")) {
    if (!given->is_string()) return failWith("'text' must be a string");
    return std::string(given->as_string());
  }
  auto size = readUint(params, "size", 10000, 0, 50'000'000);
  auto seed = readUint(params, "seed", 1, 0, UINT64_MAX);
  if (!size) return std::unexpected(size.error());
  if (!seed) return std::unexpected(seed.error());
  return generateText(*size, *seed);
}

}  // namespace phoenix
