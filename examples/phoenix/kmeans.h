// Phoenix k-means: Lloyd's algorithm from deterministic initial centres (the first k
// points), until no point changes cluster or "iterations" (default 100) is reached.
// Input {"points": [[..], ...], "k": K} inline, or {"size": points, "seed": S, "k": K,
// "dims": D} generated around K hidden centres. Defaults: k = 4, dims = 3.
#pragma once

#include <vector>

#include "common.h"

namespace phoenix::kmeans {

struct Points {
  size_t dims = 0;
  std::vector<double> coords;  // point i at [i * dims, (i + 1) * dims)
  size_t size() const { return dims ? coords.size() / dims : 0; }
};
struct Summary {
  std::vector<std::vector<double>> centres;
  std::vector<uint64_t> sizes;
  uint64_t iterations = 0;
  bool converged = false;
  double inertia = 0;  // sum of squared distances to the assigned centre
};

// REQUIRES: 1 <= k <= points.size(). Ties go to the lower-numbered centre; an empty
// cluster keeps its previous centre.
Summary cluster(const Points& points, size_t k, size_t maxIterations);
Points generatePoints(uint64_t n, size_t dims, size_t k, uint64_t seed);
json::value toJson(const Summary& summary);
json::object generateInput(uint64_t size, uint64_t seed);
Expected<Job> prepare(const json::object& params);

}  // namespace phoenix::kmeans
