#include "common.h"

#include <cmath>

namespace phoenix {

Expected<uint64_t> readUint(const json::object& params, std::string_view key, uint64_t fallback,
                            uint64_t min, uint64_t max) {
  const json::value* value = params.if_contains(key);
  if (value == nullptr) return fallback;
  uint64_t out = 0;
  if (value->is_uint64()) {
    out = value->as_uint64();
  } else if (value->is_int64() && value->as_int64() >= 0) {
    out = static_cast<uint64_t>(value->as_int64());
  } else {
    return failWith("'" + std::string(key) + "' must be a non-negative integer");
  }
  if (out < min || out > max) {
    return failWith("'" + std::string(key) + "' must be between " + std::to_string(min) +
                    " and " + std::to_string(max));
  }
  return out;
}

Expected<double> toDouble(const json::value& value, std::string_view what) {
  if (value.is_int64()) return static_cast<double>(value.as_int64());
  if (value.is_uint64()) return static_cast<double>(value.as_uint64());
  if (value.is_double()) return value.as_double();
  return failWith(std::string(what) + " must be a number");
}

Expected<NumberRows> readRows(const json::value& value, std::string_view what) {
  if (!value.is_array()) return failWith(std::string(what) + " must be an array of rows");
  NumberRows out;
  for (const auto& row : value.as_array()) {
    if (!row.is_array() || row.as_array().empty()) {
      return failWith(std::string(what) + " rows must be non-empty arrays of numbers");
    }
    if (out.rows == 0) out.cols = row.as_array().size();
    if (row.as_array().size() != out.cols) {
      return failWith(std::string(what) + " rows must all have the same length");
    }
    for (const auto& cell : row.as_array()) {
      auto number = toDouble(cell, what);
      if (!number) return std::unexpected(number.error());
      out.data.push_back(*number);
    }
    ++out.rows;
  }
  if (out.rows == 0) return failWith(std::string(what) + " must not be empty");
  return out;
}

double roundTo(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  double rounded = std::round(value * scale) / scale;
  return rounded == 0.0 ? 0.0 : rounded;  // no "-0"
}

}  // namespace phoenix
