// startup_bench: how long a native function takes from heap creation to the end of its
// first invocation, per heap size and commit policy — the simulation of Clemmys' SGXv2
// start-up figure (SGXv1 eager EADD+EEXTEND vs EDMM lazy vs batched augmentation).
//
// The invocation runs two Phoenix kernels on memory from the heap's C ABI table (as a
// loaded function would): histogram over RGB pixels and linear regression over points,
// each on half of --touch-mib; the inputs stay allocated until the invocation ends (which
// releases and, with zeroing, zeroes them), so the invocation touches all of it. Each configuration runs --runs times on a fresh heap;
// the table shows medians, normalised by eager (with measurement) at the same size.
//
// Usage: startup_bench [--runs N] [--touch-mib M] [--sizes-mib 64,256,1024,2048]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common.h"  // phoenix::Rng
#include "common/clock.h"
#include "heap/c_heap.h"
#include "heap/heap.h"

namespace {

using clemmys::heap::Heap;
using clemmys::heap::HeapOptions;
using clemmys::heap::Policy;

constexpr size_t kMiB = size_t{1} << 20;

struct Config {
  const char* name;
  Policy policy;
  size_t batchPages;
  bool zeroOnFree;
  bool measurePages;
};

const Config kConfigs[] = {
    {"eager", Policy::eager, 0, true, true},
    {"eager-nomeasure", Policy::eager, 0, true, false},
    {"lazy", Policy::lazy, 1, true, false},
    {"batched16", Policy::batched, 16, true, false},
    {"batched16-nozero", Policy::batched, 16, false, false},
};

// Phoenix histogram: 3 x 256 bins over RGB bytes; returns a checksum.
uint64_t histogramKernel(const clemmys_heap* heap, size_t bytes, uint64_t seed) {
  auto* rgb = static_cast<uint8_t*>(clemmys_alloc(heap, bytes));
  auto* bins = static_cast<uint64_t*>(clemmys_alloc(heap, 3 * 256 * sizeof(uint64_t)));
  if (rgb == nullptr || bins == nullptr) return 0;
  phoenix::Rng rng(seed);
  for (size_t i = 0; i + 8 <= bytes; i += 8) {
    const uint64_t bits = rng.next();
    std::memcpy(rgb + i, &bits, 8);
  }
  const size_t pixels = bytes / 3;
  for (size_t p = 0; p < pixels; ++p) {
    for (size_t c = 0; c < 3; ++c) ++bins[c * 256 + rgb[p * 3 + c]];
  }
  uint64_t checksum = 0;
  for (size_t i = 0; i < 3 * 256; ++i) checksum = checksum * 31 + bins[i];
  clemmys_free(heap, bins);  // rgb stays until the invocation ends, which releases it
  return checksum;
}

// Phoenix linear regression: least-squares fit over (x, y) int32 points.
uint64_t regressionKernel(const clemmys_heap* heap, size_t bytes, uint64_t seed) {
  const size_t points = bytes / (2 * sizeof(int32_t));
  auto* xy = static_cast<int32_t*>(clemmys_alloc(heap, points * 2 * sizeof(int32_t)));
  if (xy == nullptr) return 0;
  phoenix::Rng rng(seed);
  for (size_t i = 0; i < points; ++i) {
    const auto x = static_cast<int32_t>(rng.below(1000));
    xy[2 * i] = x;
    xy[2 * i + 1] = 3 * x + static_cast<int32_t>(rng.below(50));
  }
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < points; ++i) {
    const double x = xy[2 * i], y = xy[2 * i + 1];
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double n = static_cast<double>(points);
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return static_cast<uint64_t>(slope * 1000);
}

struct Sample {
  double totalMs;
  double startupMs;
  uint64_t faults;
  size_t committedMiB;
};

Sample runOnce(const Config& config, size_t sizeBytes, size_t touchBytes) {
  const int64_t started = clemmys::monotonicUs();
  auto created = Heap::create(
      HeapOptions{sizeBytes, config.policy, config.batchPages, config.zeroOnFree,
                  config.measurePages});
  if (!created) {
    std::fprintf(stderr, "create: %s\n", created.error().str().c_str());
    std::exit(1);
  }
  Heap& heap = **created;
  const clemmys_heap table = clemmys::heap::cHeapFor(heap);
  heap.beginInvocation();
  const uint64_t a = histogramKernel(&table, touchBytes / 2, 1);
  const uint64_t b = regressionKernel(&table, touchBytes / 2, 2);
  heap.endInvocation();
  const int64_t finished = clemmys::monotonicUs();
  if (a == 0 || b == 0) {
    std::fprintf(stderr, "workload failed: heap too small?\n");
    std::exit(1);
  }
  const auto stats = heap.stats();
  return Sample{(finished - started) / 1000.0, stats.startupUs / 1000.0, stats.faults,
                stats.committedPages * stats.pageSize / kMiB};
}

template <class T, class F>
T medianOf(std::vector<Sample>& samples, F field) {
  std::vector<T> values;
  for (const auto& s : samples) values.push_back(field(s));
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::vector<size_t> parseSizes(const char* text) {
  std::vector<size_t> sizes;
  std::string list(text);
  size_t position = 0;
  while (position <= list.size()) {
    const size_t comma = std::min(list.find(',', position), list.size());
    sizes.push_back(std::strtoull(list.substr(position, comma - position).c_str(), nullptr, 10));
    position = comma + 1;
  }
  return sizes;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  size_t touchMiB = 16;
  std::vector<size_t> sizesMiB = {64, 256, 1024, 2048};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    else if (flag == "--touch-mib") touchMiB = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--sizes-mib") sizesMiB = parseSizes(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--runs N] [--touch-mib M] [--sizes-mib a,b,...]\n",
                   argv[0]);
      return 2;
    }
  }
  std::printf("# create() -> end of first invocation; median of %d runs; workload: "
              "histogram + linear regression on %zu MiB from the heap\n",
              runs, touchMiB);
  std::printf("%-8s %-17s %10s %10s %8s %10s %9s\n", "heap", "policy", "total_ms",
              "startup_ms", "faults", "committed", "vs_eager");
  double eagerAt1G = 0, batchedAt1G = 0;
  for (size_t sizeMiB : sizesMiB) {
    double eagerMs = 0;
    for (const Config& config : kConfigs) {
      std::vector<Sample> samples;
      for (int r = 0; r < runs; ++r) samples.push_back(runOnce(config, sizeMiB * kMiB, touchMiB * kMiB));
      const double total = medianOf<double>(samples, [](const Sample& s) { return s.totalMs; });
      const double startup = medianOf<double>(samples, [](const Sample& s) { return s.startupMs; });
      const uint64_t faults = medianOf<uint64_t>(samples, [](const Sample& s) { return s.faults; });
      const size_t committed =
          medianOf<size_t>(samples, [](const Sample& s) { return s.committedMiB; });
      if (config.policy == Policy::eager && config.measurePages) eagerMs = total;
      if (sizeMiB == 1024 && std::string(config.name) == "eager") eagerAt1G = total;
      if (sizeMiB == 1024 && std::string(config.name) == "batched16") batchedAt1G = total;
      std::printf("%-8s %-17s %10.2f %10.2f %8llu %7zuMiB %9.3f\n",
                  (std::to_string(sizeMiB) + "MiB").c_str(), config.name, total, startup,
                  static_cast<unsigned long long>(faults), committed,
                  eagerMs > 0 ? total / eagerMs : 0.0);
      std::fflush(stdout);
    }
  }
  if (eagerAt1G > 0 && batchedAt1G > 0) {
    std::printf("# 1 GiB: eager / batched16 = %.1fx\n", eagerAt1G / batchedAt1G);
  }
  return 0;
}
