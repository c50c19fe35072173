// Shared helpers of the Phoenix workloads: a deterministic PRNG (SplitMix64, the same
// stream on every platform for a given seed), the error convention, and parameter
// readers. Workload code depends only on the standard library and Boost.JSON, never on
// Clemmys' own modules, so the functions rely on nothing but the C ABI of function.h.
// Thread safety: Rng is a value; use one per thread.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>

namespace phoenix {

namespace json = boost::json;

// Errors are messages for the caller; a function reports them as {"error": message}.
template <class T>
using Expected = std::expected<T, std::string>;

inline std::unexpected<std::string> failWith(std::string message) {
  return std::unexpected(std::move(message));
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound); bound > 0. The tiny modulo bias is irrelevant here.
  uint64_t below(uint64_t bound) { return next() % bound; }
  // Uniform in [0, 1) with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// A prepared computation: input already parsed or generated; calling it does the work.
using Job = std::function<json::value()>;

// Reads an unsigned integer parameter; `fallback` when absent. Errors on a
// non-integer or a value outside [min, max].
Expected<uint64_t> readUint(const json::object& params, std::string_view key, uint64_t fallback,
                            uint64_t min, uint64_t max);

// A number (integer or double) as double.
Expected<double> toDouble(const json::value& value, std::string_view what);

// [[...], ...] of numbers as a row-major matrix with consistent row length.
struct NumberRows {
  size_t rows = 0, cols = 0;
  std::vector<double> data;
};
Expected<NumberRows> readRows(const json::value& value, std::string_view what);

// Rounds for stable JSON output (results are printed, compared and diffed).
double roundTo(double value, int decimals);

}  // namespace phoenix
