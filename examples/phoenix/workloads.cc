#include "workloads.h"

#include <array>

#include "histogram.h"
#include "kmeans.h"
#include "linear_regression.h"
#include "matrix_multiply.h"
#include "pca.h"
#include "string_match.h"
#include "wordcount.h"

namespace phoenix {

namespace {

constexpr std::array<Workload, 7> kWorkloads = {{
    {"wordcount", "words", wordcount::generateInput, wordcount::prepare},
    {"histogram", "pixels", histogram::generateInput, histogram::prepare},
    {"linear_regression", "points", linear_regression::generateInput, linear_regression::prepare},
    {"matrix_multiply", "matrix dimension N (N x N)", matrix_multiply::generateInput,
     matrix_multiply::prepare},
    {"kmeans", "points", kmeans::generateInput, kmeans::prepare},
    {"string_match", "words", string_match::generateInput, string_match::prepare},
    {"pca", "rows", pca::generateInput, pca::prepare},
}};

}  // namespace

std::span<const Workload> allWorkloads() { return kWorkloads; }

const Workload* findWorkload(std::string_view name) {
  for (const auto& w : kWorkloads) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

json::value runWorkload(std::string_view name, std::string_view paramsJson) {
  const Workload* workload = findWorkload(name);
  if (workload == nullptr) return json::object{{"error", "unknown workload"}};
  boost::system::error_code ec;
  json::value params = paramsJson.empty() ? json::value(json::object{}) : json::parse(paramsJson, ec);
  if (ec || !params.is_object()) {
    return json::object{{"error", "parameters must be a JSON object"}};
  }
  auto job = workload->prepare(params.as_object());
  if (!job) return json::object{{"error", job.error()}};
  return (*job)();
}

}  // namespace phoenix
