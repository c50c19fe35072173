#include "linear_regression.h"

namespace phoenix::linear_regression {

Summary fit(const std::vector<Point>& points) {
  Summary s;
  s.n = points.size();
  for (const auto& p : points) {
    s.sx += p.x;
    s.sy += p.y;
    s.sxx += static_cast<__int128>(p.x) * p.x;
    s.syy += static_cast<__int128>(p.y) * p.y;
    s.sxy += static_cast<__int128>(p.x) * p.y;
  }
  if (s.n == 0) return s;
  auto n = static_cast<__int128>(s.n);
  __int128 varX = n * s.sxx - s.sx * s.sx;  // n^2 * variance of x, exact
  __int128 varY = n * s.syy - s.sy * s.sy;
  __int128 cov = n * s.sxy - s.sx * s.sy;
  double meanY = static_cast<double>(s.sy) / static_cast<double>(s.n);
  if (varX == 0) {
    s.intercept = meanY;
    return s;
  }
  s.slope = static_cast<double>(cov) / static_cast<double>(varX);
  s.intercept = (static_cast<double>(s.sy) - s.slope * static_cast<double>(s.sx)) /
                static_cast<double>(s.n);
  s.r2 = varY == 0 ? 1.0
                   : static_cast<double>(cov) / static_cast<double>(varX) *
                         (static_cast<double>(cov) / static_cast<double>(varY));
  return s;
}

std::vector<Point> generatePoints(uint64_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<Point> points(n);
  for (auto& p : points) {
    p.x = static_cast<int64_t>(rng.below(1000));
    p.y = 3 * p.x + 7 + static_cast<int64_t>(rng.below(101)) - 50;
  }
  return points;
}

namespace {
// Sums can exceed 64 bits for large inputs; print them as decimal strings.
std::string toDecimal(__int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : v;
  std::string digits;
  while (u > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return negative ? "-" + digits : digits;
}
}  // namespace

json::value toJson(const Summary& s) {
  return json::object{{"n", s.n},
                      {"slope", roundTo(s.slope, 6)},
                      {"intercept", roundTo(s.intercept, 6)},
                      {"r2", roundTo(s.r2, 6)},
                      {"sums", json::object{{"sx", toDecimal(s.sx)},
                                            {"sy", toDecimal(s.sy)},
                                            {"sxx", toDecimal(s.sxx)},
                                            {"syy", toDecimal(s.syy)},
                                            {"sxy", toDecimal(s.sxy)}}}};
}

json::object generateInput(uint64_t size, uint64_t seed) {
  json::array points;
  for (const auto& p : generatePoints(size, seed)) points.push_back(json::array{p.x, p.y});
  return json::object{{"points", std::move(points)}};
}

Expected<Job> prepare(const json::object& params) {
  std::vector<Point> points;
  if (const json::value* given = params.if_contains("points")) {
    if (!given->is_array()) return failWith("'points' must be an array of [x, y] pairs");
    for (const auto& item : given->as_array()) {
      const json::array* pair = item.if_array();
      if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_int64() ||
          !(*pair)[1].is_int64()) {
        return failWith("'points' must be an array of [x, y] integer pairs");
      }
      // Bounded so that the exact 128-bit sums cannot overflow.
      constexpr int64_t kLimit = int64_t{1} << 31;
      for (const auto& v : *pair) {
        if (v.as_int64() > kLimit || v.as_int64() < -kLimit) {
          return failWith("'points' coordinates must be within +-2^31");
        }
      }
      points.push_back({(*pair)[0].as_int64(), (*pair)[1].as_int64()});
    }
  } else {
    auto size = readUint(params, "size", 100000, 0, 100'000'000);
    auto seed = readUint(params, "seed", 1, 0, UINT64_MAX);
    if (!size) return std::unexpected(size.error());
    if (!seed) return std::unexpected(seed.error());
    points = generatePoints(*size, *seed);
  }
  return Job([points = std::move(points)] { return toJson(fit(points)); });
}

}  // namespace phoenix::linear_regression
