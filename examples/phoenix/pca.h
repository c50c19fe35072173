// Phoenix PCA: column means and the sample covariance matrix of a data matrix (rows are
// observations, columns variables), plus the principal component from power iteration.
// Input {"matrix": [[..], ...]} inline, or {"size": rows, "seed": S, "cols": C}
// generated (default 8 columns driven by two hidden factors).
#pragma once

#include <vector>

#include "common.h"

namespace phoenix::pca {

struct Summary {
  size_t rows = 0, cols = 0;
  std::vector<double> means;
  std::vector<double> covariance;  // cols x cols, row-major; divisor rows - 1
  double topEigenvalue = 0;
  std::vector<double> topEigenvector;  // unit length, largest component positive
};

// REQUIRES: data.rows >= 2.
Summary analyze(const NumberRows& data);
NumberRows generateMatrix(uint64_t rows, size_t cols, uint64_t seed);
json::value toJson(const Summary& summary);
json::object generateInput(uint64_t size, uint64_t seed);
Expected<Job> prepare(const json::object& params);

}  // namespace phoenix::pca
