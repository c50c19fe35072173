// Phoenix matrix multiply: C = A x B over 64-bit integers (wrapping on overflow, so the
// checksum is well defined for any input). Input {"a": [[..]], "b": [[..]]} inline
// (integers), or {"size": N, "seed": S} generating two N x N matrices with entries in
// [-9, 9]. The summary: dimensions, sum, trace (square C), corners and a checksum.
#pragma once

#include <vector>

#include "common.h"

namespace phoenix::matrix_multiply {

struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<int64_t> data;  // row-major
  int64_t at(size_t r, size_t c) const { return data[r * cols + c]; }
};

// REQUIRES: a.cols == b.rows.
Matrix multiply(const Matrix& a, const Matrix& b);
Matrix generateMatrix(size_t n, Rng& rng);
json::value summarize(const Matrix& c);
json::object generateInput(uint64_t size, uint64_t seed);
Expected<Job> prepare(const json::object& params);

}  // namespace phoenix::matrix_multiply
