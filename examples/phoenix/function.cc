// The cpp function of one Phoenix workload (PHOENIX_WORKLOAD names it at build time):
// parameters in, JSON summary out, through the C ABI of include/clemmys/function.h.
#include <clemmys/function.h>

#include <exception>
#include <string>

#include "workloads.h"

#ifndef PHOENIX_WORKLOAD
#error "PHOENIX_WORKLOAD must name the workload"
#endif

extern "C" __attribute__((visibility("default"))) int clemmys_main(
    const char* params, size_t params_len, const clemmys_context* ctx) {
  std::string result;
  try {
    result = boost::json::serialize(
        phoenix::runWorkload(PHOENIX_WORKLOAD, std::string_view(params, params_len)));
  } catch (const std::exception& e) {
    // Exceptions must not cross the C ABI; out-of-memory is the realistic case here.
    result = boost::json::serialize(boost::json::object{{"error", e.what()}});
  }
  ctx->set_result(ctx->host, result.data(), result.size());
  return 0;
}
