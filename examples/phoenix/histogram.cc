#include "histogram.h"

#include <algorithm>

namespace phoenix::histogram {

Summary histogram(const std::vector<uint8_t>& rgb) {
  Summary summary;
  summary.pixels = rgb.size() / 3;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3) {
    ++summary.bins[0][rgb[i]];
    ++summary.bins[1][rgb[i + 1]];
    ++summary.bins[2][rgb[i + 2]];
  }
  return summary;
}

std::vector<uint8_t> generatePixels(uint64_t pixels, uint64_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> rgb(pixels * 3);
  for (uint64_t p = 0; p < pixels; ++p) {
    uint64_t bits = rng.next();
    // A warm-toned picture: red skews high, blue low, green uniform.
    auto r = static_cast<uint8_t>(std::max(bits & 0xff, (bits >> 8) & 0xff));
    auto g = static_cast<uint8_t>((bits >> 16) & 0xff);
    auto b = static_cast<uint8_t>(std::min((bits >> 24) & 0xff, (bits >> 32) & 0xff));
    rgb[p * 3] = r;
    rgb[p * 3 + 1] = g;
    rgb[p * 3 + 2] = b;
  }
  return rgb;
}

json::value toJson(const Summary& summary, bool withBins) {
  static constexpr const char* kNames[3] = {"red", "green", "blue"};
  json::object channels;
  uint64_t checksum = 0;
  for (size_t c = 0; c < 3; ++c) {
    uint64_t sum = 0;
    size_t mode = 0;
    json::array bins;
    for (size_t v = 0; v < 256; ++v) {
      uint64_t n = summary.bins[c][v];
      sum += n * v;
      if (n > summary.bins[c][mode]) mode = v;
      checksum = checksum * 1000003u + n;  // order-sensitive fingerprint of all bins
      if (withBins) bins.push_back(n);
    }
    double mean = summary.pixels ? static_cast<double>(sum) / static_cast<double>(summary.pixels) : 0;
    json::object channel{{"mean", roundTo(mean, 4)}, {"mode", mode},
                         {"mode_count", summary.bins[c][mode]}};
    if (withBins) channel["bins"] = std::move(bins);
    channels[kNames[c]] = std::move(channel);
  }
  return json::object{{"pixels", summary.pixels}, {"channels", std::move(channels)},
                      {"checksum", checksum}};
}

json::object generateInput(uint64_t size, uint64_t seed) {
  json::array pixels;
  for (uint8_t byte : generatePixels(size, seed)) pixels.push_back(static_cast<int64_t>(byte));
  return json::object{{"pixels", std::move(pixels)}};
}

Expected<Job> prepare(const json::object& params) {
  bool withBins = false;
  if (const json::value* bins = params.if_contains("bins")) {
    if (!bins->is_bool()) return failWith("'bins' must be true or false");
    withBins = bins->as_bool();
  }
  std::vector<uint8_t> rgb;
  if (const json::value* given = params.if_contains("pixels")) {
    if (!given->is_array() || given->as_array().size() % 3 != 0) {
      return failWith("'pixels' must be an array of r,g,b byte triples");
    }
    for (const auto& v : given->as_array()) {
      boost::system::error_code ec;
      auto byte = v.to_number<int64_t>(ec);
      if (ec || !(v.is_int64() || v.is_uint64()) || byte < 0 || byte > 255) {
        return failWith("'pixels' values must be integers 0..255");
      }
      rgb.push_back(static_cast<uint8_t>(byte));
    }
  } else {
    auto size = readUint(params, "size", 100000, 0, 200'000'000);
    auto seed = readUint(params, "seed", 1, 0, UINT64_MAX);
    if (!size) return std::unexpected(size.error());
    if (!seed) return std::unexpected(seed.error());
    rgb = generatePixels(*size, *seed);
  }
  return Job([rgb = std::move(rgb), withBins] { return toJson(histogram(rgb), withBins); });
}

}  // namespace phoenix::histogram
