// The registry of Phoenix workloads, by name, shared by the cpp functions, phoenix-gen
// and phoenix-bench-native.
// Thread safety: the table is immutable; jobs are independent values.
#pragma once

#include <span>
#include <string_view>

#include "common.h"

namespace phoenix {

struct Workload {
  std::string_view name;        // "wordcount", "histogram", ...
  std::string_view sizeMeaning;  // what --size counts: "words", "pixels", ...
  // The inline input phoenix-gen writes for (size, seed); running it gives the same
  // result as {"size": size, "seed": seed}.
  json::object (*generateInput)(uint64_t size, uint64_t seed);
  // Parses parameters (inline input, or size/seed) into a ready computation.
  Expected<Job> (*prepare)(const json::object& params);
};

std::span<const Workload> allWorkloads();
const Workload* findWorkload(std::string_view name);

// Prepares and runs `name` on JSON parameter text; the result, or {"error": message}.
json::value runWorkload(std::string_view name, std::string_view paramsJson);

}  // namespace phoenix
