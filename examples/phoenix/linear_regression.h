// Phoenix linear regression: least-squares fit y = slope * x + intercept over integer
// points, from exact integer sums (as Phoenix accumulates SX, SY, SXX, SYY, SXY).
// Input {"points": [[x, y], ...]} inline (integers), or {"size": points, "seed": S}
// generated around y = 3x + 7 with bounded noise.
#pragma once

#include <vector>

#include "common.h"

namespace phoenix::linear_regression {

struct Point {
  int64_t x = 0, y = 0;
};
struct Summary {
  uint64_t n = 0;
  __int128 sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  double slope = 0, intercept = 0, r2 = 0;
};

// With fewer than two distinct x values the slope is undefined: slope = 0,
// intercept = mean y, r2 = 0.
Summary fit(const std::vector<Point>& points);
std::vector<Point> generatePoints(uint64_t n, uint64_t seed);
json::value toJson(const Summary& summary);
json::object generateInput(uint64_t size, uint64_t seed);
Expected<Job> prepare(const json::object& params);

}  // namespace phoenix::linear_regression
