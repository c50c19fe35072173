// cpp actions for the invoker's integration tests (include/clemmys/function.h), each
// exercising one pool behaviour against the real clemmys-runtime.
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "clemmys/function.h"

namespace {

void reply(const clemmys_context* ctx, const boost::json::value& v) {
  std::string text = boost::json::serialize(v);
  ctx->set_result(ctx->host, text.data(), text.size());
}

boost::json::object paramsOf(const char* params, size_t len) {
  boost::system::error_code ec;
  auto v = boost::json::parse(std::string_view(params, len), ec);
  return !ec && v.is_object() ? v.as_object() : boost::json::object{};
}

}  // namespace

// Echo with one log line per stream.
extern "C" int clemmys_main(const char* params, size_t len, const clemmys_context* ctx) {
  std::printf("echo %s\n", ctx->activation_id);
  std::fprintf(stderr, "echo on stderr\n");
  reply(ctx, boost::json::object{{"params", paramsOf(params, len)}});
  return 0;
}

// Dies like a crashing native function.
extern "C" int crash(const char*, size_t, const clemmys_context*) {
  std::fprintf(stderr, "about to abort\n");
  std::abort();
}

// Allocates and touches {"mb": N} megabytes, then returns.
extern "C" int hog(const char* params, size_t len, const clemmys_context* ctx) {
  auto p = paramsOf(params, len);
  int64_t mb = p.contains("mb") ? p["mb"].to_number<int64_t>() : 300;
  size_t bytes = static_cast<size_t>(mb) << 20;
  auto* block = static_cast<char*>(std::malloc(bytes));
  if (!block) return 1;
  for (size_t i = 0; i < bytes; i += 4096) block[i] = static_cast<char>(i);
  reply(ctx, boost::json::object{{"touched_mb", mb}, {"probe", static_cast<int>(block[4096])}});
  std::free(block);
  return 0;
}

// Sleeps {"ms": N} milliseconds (default: forever, for timeouts).
extern "C" int spin(const char* params, size_t len, const clemmys_context* ctx) {
  auto p = paramsOf(params, len);
  int64_t ms = p.contains("ms") ? p["ms"].to_number<int64_t>() : 3600 * 1000;
  usleep(static_cast<useconds_t>(ms * 1000));
  reply(ctx, boost::json::object{{"slept_ms", ms}});
  return 0;
}

// Prints {"lines": N} lines of ~100 bytes to stdout.
extern "C" int chatty(const char* params, size_t len, const clemmys_context* ctx) {
  auto p = paramsOf(params, len);
  int64_t n = p.contains("lines") ? p["lines"].to_number<int64_t>() : 10;
  std::string pad(90, 'z');
  for (int64_t i = 0; i < n; ++i) std::printf("line %06lld %s\n", static_cast<long long>(i), pad.c_str());
  reply(ctx, boost::json::object{{"lines", n}});
  return 0;
}
