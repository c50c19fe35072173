// Phoenix histogram: 256-bin histograms of the red, green and blue channels of an RGB
// image. Input {"pixels": [r,g,b, r,g,b, ...]} inline (bytes 0..255), or
// {"size": pixels, "seed": S} generated. With "bins": true the summary holds all bins.
#pragma once

#include <array>
#include <vector>

#include "common.h"

namespace phoenix::histogram {

struct Summary {
  uint64_t pixels = 0;
  std::array<std::array<uint64_t, 256>, 3> bins{};  // [channel][value]
};

// REQUIRES: rgb.size() % 3 == 0.
Summary histogram(const std::vector<uint8_t>& rgb);
std::vector<uint8_t> generatePixels(uint64_t pixels, uint64_t seed);
json::value toJson(const Summary& summary, bool withBins);
json::object generateInput(uint64_t size, uint64_t seed);
Expected<Job> prepare(const json::object& params);

}  // namespace phoenix::histogram
