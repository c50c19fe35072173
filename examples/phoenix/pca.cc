#include "pca.h"

#include <cmath>

namespace phoenix::pca {

Summary analyze(const NumberRows& data) {
  Summary s;
  s.rows = data.rows;
  s.cols = data.cols;
  const size_t n = data.rows, d = data.cols;
  s.means.assign(d, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) s.means[j] += data.data[i * d + j];
  }
  for (double& m : s.means) m /= static_cast<double>(n);
  s.covariance.assign(d * d, 0);
  for (size_t i = 0; i < n; ++i) {
    const double* row = &data.data[i * d];
    for (size_t a = 0; a < d; ++a) {
      double da = row[a] - s.means[a];
      for (size_t b = a; b < d; ++b) s.covariance[a * d + b] += da * (row[b] - s.means[b]);
    }
  }
  for (size_t a = 0; a < d; ++a) {
    for (size_t b = a; b < d; ++b) {
      s.covariance[a * d + b] /= static_cast<double>(n - 1);
      s.covariance[b * d + a] = s.covariance[a * d + b];
    }
  }
  // Power iteration from the all-ones vector: deterministic, and converges for the
  // symmetric positive semi-definite covariance unless the start is orthogonal to the
  // top eigenvector (then it finds the next one, which is still a valid summary).
  std::vector<double> v(d, 1.0 / std::sqrt(static_cast<double>(d))), next(d);
  double lambda = 0;
  for (int iteration = 0; iteration < 1000; ++iteration) {
    for (size_t a = 0; a < d; ++a) {
      next[a] = 0;
      for (size_t b = 0; b < d; ++b) next[a] += s.covariance[a * d + b] * v[b];
    }
    double norm = 0;
    for (double x : next) norm += x * x;
    norm = std::sqrt(norm);
    if (norm == 0) break;
    double delta = 0;
    for (size_t a = 0; a < d; ++a) {
      next[a] /= norm;
      delta += std::fabs(next[a] - v[a]);
    }
    v.swap(next);
    lambda = norm;
    if (delta < 1e-12) break;
  }
  size_t largest = 0;
  for (size_t a = 1; a < d; ++a) {
    if (std::fabs(v[a]) > std::fabs(v[largest])) largest = a;
  }
  if (v[largest] < 0) {
    for (double& x : v) x = -x;
  }
  s.topEigenvalue = lambda;
  s.topEigenvector = v;
  return s;
}

NumberRows generateMatrix(uint64_t rows, size_t cols, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> loadings(2 * cols);
  for (auto& l : loadings) l = static_cast<double>(rng.below(21)) - 10;
  NumberRows m{rows, cols, std::vector<double>(rows * cols)};
  for (uint64_t i = 0; i < rows; ++i) {
    double f1 = static_cast<double>(rng.below(201)) - 100;
    double f2 = static_cast<double>(rng.below(41)) - 20;
    for (size_t j = 0; j < cols; ++j) {
      // Integer-valued entries keep inline inputs exact in JSON.
      m.data[i * cols + j] = std::round((f1 * loadings[j] + f2 * loadings[cols + j]) / 10) +
                             static_cast<double>(rng.below(11)) - 5;
    }
  }
  return m;
}

json::value toJson(const Summary& s) {
  json::array means, vector, diagonal;
  double trace = 0, total = 0;
  for (double m : s.means) means.push_back(roundTo(m, 6));
  for (double x : s.topEigenvector) vector.push_back(roundTo(x, 6));
  for (size_t a = 0; a < s.cols; ++a) {
    diagonal.push_back(roundTo(s.covariance[a * s.cols + a], 6));
    trace += s.covariance[a * s.cols + a];
  }
  for (double c : s.covariance) total += c;
  json::object out{{"rows", s.rows},
                   {"cols", s.cols},
                   {"means", std::move(means)},
                   {"variances", std::move(diagonal)},
                   {"covariance_sum", roundTo(total, 6)},
                   {"total_variance", roundTo(trace, 6)},
                   {"top_eigenvalue", roundTo(s.topEigenvalue, 6)},
                   {"top_eigenvector", std::move(vector)},
                   {"explained_ratio", roundTo(trace > 0 ? s.topEigenvalue / trace : 0, 6)}};
  return out;
}

json::object generateInput(uint64_t size, uint64_t seed) {
  NumberRows m = generateMatrix(size, 8, seed);
  json::array rows;
  for (size_t i = 0; i < m.rows; ++i) {
    json::array row;
    for (size_t j = 0; j < m.cols; ++j) row.push_back(m.data[i * m.cols + j]);
    rows.push_back(std::move(row));
  }
  return json::object{{"matrix", std::move(rows)}};
}

Expected<Job> prepare(const json::object& params) {
  NumberRows data;
  if (const json::value* given = params.if_contains("matrix")) {
    auto rows = readRows(*given, "'matrix'");
    if (!rows) return std::unexpected(rows.error());
    data = std::move(*rows);
  } else {
    auto size = readUint(params, "size", 10000, 2, 10'000'000);
    auto cols = readUint(params, "cols", 8, 1, 512);
    auto seed = readUint(params, "seed", 1, 0, UINT64_MAX);
    if (!size) return std::unexpected(size.error());
    if (!cols) return std::unexpected(cols.error());
    if (!seed) return std::unexpected(seed.error());
    data = generateMatrix(*size, *cols, *seed);
  }
  if (data.rows < 2) return failWith("'matrix' needs at least two rows");
  return Job([data = std::move(data)] { return toJson(analyze(data)); });
}

}  // namespace phoenix::pca
