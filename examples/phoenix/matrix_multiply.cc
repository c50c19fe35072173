#include "matrix_multiply.h"

namespace phoenix::matrix_multiply {

namespace {

int64_t wrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
int64_t wrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

Expected<Matrix> readMatrix(const json::value& value, std::string_view what) {
  if (!value.is_array() || value.as_array().empty()) {
    return failWith("'" + std::string(what) + "' must be a non-empty array of integer rows");
  }
  Matrix m;
  for (const auto& row : value.as_array()) {
    if (!row.is_array() || row.as_array().empty()) {
      return failWith("'" + std::string(what) + "' rows must be non-empty arrays");
    }
    if (m.rows == 0) m.cols = row.as_array().size();
    if (row.as_array().size() != m.cols) {
      return failWith("'" + std::string(what) + "' rows must all have the same length");
    }
    for (const auto& cell : row.as_array()) {
      if (!cell.is_int64()) return failWith("'" + std::string(what) + "' entries must be integers");
      m.data.push_back(cell.as_int64());
    }
    ++m.rows;
  }
  return m;
}

}  // namespace

Matrix multiply(const Matrix& a, const Matrix& b) {
  Matrix c{a.rows, b.cols, std::vector<int64_t>(a.rows * b.cols, 0)};
  // i-k-j order streams through rows of B and C.
  for (size_t i = 0; i < a.rows; ++i) {
    int64_t* out = &c.data[i * c.cols];
    for (size_t k = 0; k < a.cols; ++k) {
      int64_t aik = a.at(i, k);
      const int64_t* row = &b.data[k * b.cols];
      for (size_t j = 0; j < b.cols; ++j) out[j] = wrapAdd(out[j], wrapMul(aik, row[j]));
    }
  }
  return c;
}

Matrix generateMatrix(size_t n, Rng& rng) {
  Matrix m{n, n, std::vector<int64_t>(n * n)};
  for (auto& v : m.data) v = static_cast<int64_t>(rng.below(19)) - 9;
  return m;
}

json::value summarize(const Matrix& c) {
  int64_t sum = 0, trace = 0;
  uint64_t checksum = 1469598103934665603ull;  // FNV-1a over the entries' bits
  for (size_t i = 0; i < c.rows; ++i) {
    for (size_t j = 0; j < c.cols; ++j) {
      int64_t v = c.at(i, j);
      sum = wrapAdd(sum, v);
      if (i == j) trace = wrapAdd(trace, v);
      checksum = (checksum ^ static_cast<uint64_t>(v)) * 1099511628211ull;
    }
  }
  json::object out{{"rows", c.rows}, {"cols", c.cols}, {"sum", sum},
                   {"checksum", checksum}};
  if (c.rows == c.cols) out["trace"] = trace;
  if (!c.data.empty()) {
    out["first"] = c.data.front();
    out["last"] = c.data.back();
  }
  return out;
}

json::object generateInput(uint64_t size, uint64_t seed) {
  Rng rng(seed);
  json::object input;
  for (const char* name : {"a", "b"}) {
    Matrix m = generateMatrix(size, rng);
    json::array rows;
    for (size_t i = 0; i < m.rows; ++i) {
      json::array row;
      for (size_t j = 0; j < m.cols; ++j) row.push_back(m.at(i, j));
      rows.push_back(std::move(row));
    }
    input[name] = std::move(rows);
  }
  return input;
}

Expected<Job> prepare(const json::object& params) {
  Matrix a, b;
  if (params.contains("a") || params.contains("b")) {
    if (!params.contains("a") || !params.contains("b")) return failWith("give both 'a' and 'b'");
    auto ma = readMatrix(params.at("a"), "a");
    if (!ma) return std::unexpected(ma.error());
    auto mb = readMatrix(params.at("b"), "b");
    if (!mb) return std::unexpected(mb.error());
    if (ma->cols != mb->rows) {
      return failWith("'a' has " + std::to_string(ma->cols) + " columns but 'b' has " +
                      std::to_string(mb->rows) + " rows");
    }
    a = std::move(*ma);
    b = std::move(*mb);
  } else {
    auto size = readUint(params, "size", 128, 1, 4096);
    auto seed = readUint(params, "seed", 1, 0, UINT64_MAX);
    if (!size) return std::unexpected(size.error());
    if (!seed) return std::unexpected(seed.error());
    Rng rng(*seed);
    a = generateMatrix(*size, rng);
    b = generateMatrix(*size, rng);
  }
  return Job([a = std::move(a), b = std::move(b)] { return summarize(multiply(a, b)); });
}

}  // namespace phoenix::matrix_multiply
