#include "kmeans.h"

#include <limits>

namespace phoenix::kmeans {

namespace {

double distance2(const double* a, const double* b, size_t dims) {
  double d = 0;
  for (size_t i = 0; i < dims; ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

}  // namespace

Summary cluster(const Points& points, size_t k, size_t maxIterations) {
  const size_t n = points.size(), dims = points.dims;
  std::vector<double> centres(points.coords.begin(),
                              points.coords.begin() + static_cast<std::ptrdiff_t>(k * dims));
  std::vector<size_t> assignment(n, k);  // k: not yet assigned
  Summary summary;
  while (summary.iterations < maxIterations) {
    bool changed = false;
    for (size_t i = 0; i < n; ++i) {
      const double* p = &points.coords[i * dims];
      size_t best = 0;
      double bestDistance = std::numeric_limits<double>::infinity();
      for (size_t c = 0; c < k; ++c) {
        double d = distance2(p, &centres[c * dims], dims);
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
        }
      }
      if (assignment[i] != best) {
        assignment[i] = best;
        changed = true;
      }
    }
    ++summary.iterations;
    if (!changed) {
      summary.converged = true;
      break;
    }
    std::vector<double> sums(k * dims, 0);
    std::vector<uint64_t> counts(k, 0);
    for (size_t i = 0; i < n; ++i) {
      ++counts[assignment[i]];
      for (size_t d = 0; d < dims; ++d) sums[assignment[i] * dims + d] += points.coords[i * dims + d];
    }
    for (size_t c = 0; c < k; ++c) {
      if (counts[c] == 0) continue;
      for (size_t d = 0; d < dims; ++d) {
        centres[c * dims + d] = sums[c * dims + d] / static_cast<double>(counts[c]);
      }
    }
  }
  summary.sizes.assign(k, 0);
  for (size_t i = 0; i < n; ++i) {
    ++summary.sizes[assignment[i]];
    summary.inertia += distance2(&points.coords[i * dims], &centres[assignment[i] * dims], dims);
  }
  for (size_t c = 0; c < k; ++c) {
    summary.centres.emplace_back(centres.begin() + static_cast<std::ptrdiff_t>(c * dims),
                                 centres.begin() + static_cast<std::ptrdiff_t>((c + 1) * dims));
  }
  return summary;
}

Points generatePoints(uint64_t n, size_t dims, size_t k, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> hidden(k * dims);
  for (auto& v : hidden) v = static_cast<double>(rng.below(1000));
  Points points{dims, std::vector<double>(n * dims)};
  for (uint64_t i = 0; i < n; ++i) {
    size_t c = rng.below(k);
    for (size_t d = 0; d < dims; ++d) {
      // Integer-valued coordinates keep inline inputs exact in JSON.
      points.coords[i * dims + d] = hidden[c * dims + d] + static_cast<double>(rng.below(101)) - 50;
    }
  }
  return points;
}

json::value toJson(const Summary& summary) {
  json::array centres;
  for (const auto& centre : summary.centres) {
    json::array row;
    for (double v : centre) row.push_back(roundTo(v, 4));
    centres.push_back(std::move(row));
  }
  json::array sizes;
  for (uint64_t s : summary.sizes) sizes.push_back(s);
  return json::object{{"centres", std::move(centres)},
                      {"sizes", std::move(sizes)},
                      {"iterations", summary.iterations},
                      {"converged", summary.converged},
                      {"inertia", roundTo(summary.inertia, 3)}};
}

json::object generateInput(uint64_t size, uint64_t seed) {
  Points points = generatePoints(size, 3, 4, seed);
  json::array rows;
  for (size_t i = 0; i < points.size(); ++i) {
    json::array row;
    for (size_t d = 0; d < points.dims; ++d) row.push_back(points.coords[i * points.dims + d]);
    rows.push_back(std::move(row));
  }
  return json::object{{"points", std::move(rows)}, {"k", 4}};
}

Expected<Job> prepare(const json::object& params) {
  auto k = readUint(params, "k", 4, 1, 1000);
  auto maxIterations = readUint(params, "iterations", 100, 1, 100000);
  if (!k) return std::unexpected(k.error());
  if (!maxIterations) return std::unexpected(maxIterations.error());
  Points points;
  if (const json::value* given = params.if_contains("points")) {
    auto rows = readRows(*given, "'points'");
    if (!rows) return std::unexpected(rows.error());
    points = Points{rows->cols, std::move(rows->data)};
  } else {
    auto size = readUint(params, "size", 100000, 1, 20'000'000);
    auto dims = readUint(params, "dims", 3, 1, 1000);
    auto seed = readUint(params, "seed", 1, 0, UINT64_MAX);
    if (!size) return std::unexpected(size.error());
    if (!dims) return std::unexpected(dims.error());
    if (!seed) return std::unexpected(seed.error());
    points = generatePoints(*size, *dims, *k, *seed);
  }
  if (*k > points.size()) return failWith("'k' must not exceed the number of points");
  size_t kk = *k, iterations = *maxIterations;
  return Job([points = std::move(points), kk, iterations] {
    return toJson(cluster(points, kk, iterations));
  });
}

}  // namespace phoenix::kmeans
