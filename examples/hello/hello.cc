// cpp action: {"name": "Ada"} -> {"greeting": "Hello, Ada!"}. Built as libhello.so and
// loaded by clemmys-runtime through the C ABI of include/clemmys/function.h.
#include <clemmys/function.h>

#include <boost/json.hpp>

#include <string>

namespace json = boost::json;

extern "C" __attribute__((visibility("default"))) int clemmys_main(
    const char* params, size_t params_len, const clemmys_context* ctx) {
  boost::system::error_code ec;
  json::value input = json::parse(json::string_view(params, params_len), ec);
  std::string name = "World";
  if (!ec && input.is_object()) {
    if (const json::value* given = input.as_object().if_contains("name")) {
      name = given->is_string() ? std::string(given->as_string()) : json::serialize(*given);
    }
  }
  std::string result = json::serialize(json::object{{"greeting", "Hello, " + name + "!"}});
  ctx->set_result(ctx->host, result.data(), result.size());
  return 0;
}
