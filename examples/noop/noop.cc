// cpp no-op action, the benchmark function: ignores its input and returns {}.
// Deliberately dependency-free so it measures only the platform's invocation path.
#include <clemmys/function.h>

extern "C" __attribute__((visibility("default"))) int clemmys_main(
    const char* /*params*/, size_t /*params_len*/, const clemmys_context* ctx) {
  static const char kEmpty[] = "{}";
  ctx->set_result(ctx->host, kEmpty, sizeof kEmpty - 1);
  return 0;
}
