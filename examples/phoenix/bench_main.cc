// phoenix-bench-native: runs the Phoenix workloads natively (no platform) to give the
// baseline the FaaS numbers are compared against.
//   phoenix-bench-native [all|<workload>...] [--size N] [--seed S] [--reps R]
// --size applies to every workload named; without it each uses a default size.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "workloads.h"

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

uint64_t defaultSize(std::string_view name) {
  if (name == "matrix_multiply") return 256;
  if (name == "kmeans" || name == "pca") return 100000;
  return 1000000;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<const phoenix::Workload*> selected;
  std::optional<uint64_t> size;
  uint64_t seed = 1, reps = 5;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--size" || word == "--seed" || word == "--reps") {
      uint64_t value = 0;
      std::string text = i + 1 < argc ? argv[++i] : "";
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        std::cerr << "phoenix-bench-native: " << word << " needs a non-negative integer\n";
        return 2;
      }
      if (word == "--size") {
        size = value;
      } else if (word == "--seed") {
        seed = value;
      } else {
        reps = value;
      }
    } else if (word == "all") {
      for (const auto& w : phoenix::allWorkloads()) selected.push_back(&w);
    } else if (const phoenix::Workload* w = phoenix::findWorkload(word)) {
      selected.push_back(w);
    } else {
      std::cerr << "usage: phoenix-bench-native [all|<workload>...] [--size N] [--seed S] "
                   "[--reps R]\n";
      return 2;
    }
  }
  if (selected.empty()) {
    for (const auto& w : phoenix::allWorkloads()) selected.push_back(&w);
  }
  reps = std::max<uint64_t>(reps, 1);
  std::printf("%-18s %12s %10s %10s %10s %10s\n", "workload", "size", "prepare_ms", "min_ms",
              "median_ms", "out_bytes");
  for (const auto* w : selected) {
    uint64_t n = size.value_or(defaultSize(w->name));
    auto start = Clock::now();
    auto job = w->prepare(boost::json::object{{"size", n}, {"seed", seed}});
    double prepareMs = msSince(start);
    if (!job) {
      std::cerr << w->name << ": " << job.error() << "\n";
      return 1;
    }
    std::vector<double> times;
    size_t outBytes = 0;
    for (uint64_t r = 0; r < reps; ++r) {
      auto t = Clock::now();
      boost::json::value result = (*job)();
      times.push_back(msSince(t));
      outBytes = boost::json::serialize(result).size();
    }
    std::sort(times.begin(), times.end());
    std::printf("%-18s %12llu %10.2f %10.2f %10.2f %10zu\n", std::string(w->name).c_str(),
                static_cast<unsigned long long>(n), prepareMs, times.front(),
                times[times.size() / 2], outBytes);
  }
  return 0;
}
