// cpp test actions (see include/clemmys/function.h). Entry points mirror
// functions.py / functions.js / blackbox_exec so every kind runs the same cases.
#include <boost/json.hpp>

#include <cstdio>
#include <cstring>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "clemmys/function.h"
#include "clemmys/heap.h"

extern char** environ;

namespace {

void reply(const clemmys_context* ctx, const boost::json::value& v) {
  std::string text = boost::json::serialize(v);
  ctx->set_result(ctx->host, text.data(), text.size());
}

}  // namespace

// Echo: {"delimiter": d} -> {"winter": "d ☃ d"} (also logged); anything else echoed.
extern "C" int clemmys_main(const char* params, size_t len, const clemmys_context* ctx) {
  boost::json::value v = boost::json::parse(std::string_view(params, len));
  if (v.is_object() && v.as_object().contains("delimiter")) {
    std::string d(v.as_object()["delimiter"].as_string());
    std::string winter = d + " \u2603 " + d;
    std::printf("%s\n", winter.c_str());
    std::fprintf(stderr, "%s\n", winter.c_str());
    reply(ctx, boost::json::object{{"winter", winter}});
    return 0;
  }
  std::printf("hello stdout\n");
  std::fprintf(stderr, "hello stderr\n");
  reply(ctx, v);
  return 0;
}

extern "C" int niam(const char*, size_t, const clemmys_context* ctx) {
  reply(ctx, boost::json::object{{"greeting", "niam"}});
  return 0;
}

extern "C" int not_dict(const char*, size_t, const clemmys_context* ctx) {
  const char* s = "\"a string\"";
  ctx->set_result(ctx->host, s, std::strlen(s));
  return 0;
}

// Every __OW_* variable, SOME_VAR and ANOTHER_VAR, and the context fields as ctx_*.
extern "C" int env(const char*, size_t, const clemmys_context* ctx) {
  boost::json::object out;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    auto eq = entry.find('=');
    std::string_view name = entry.substr(0, eq);
    if (name.starts_with("__OW_") || name == "SOME_VAR" || name == "ANOTHER_VAR") {
      out[name] = entry.substr(eq + 1);
    }
  }
  out["ctx_activation_id"] = ctx->activation_id;
  out["ctx_action_name"] = ctx->action_name;
  out["ctx_deadline"] = ctx->deadline;
  out["ctx_api_key"] = ctx->api_key ? boost::json::value(ctx->api_key) : boost::json::value();
  reply(ctx, out);
  return 0;
}

extern "C" int fail_status(const char*, size_t, const clemmys_context*) { return 7; }

extern "C" int no_result(const char*, size_t, const clemmys_context*) { return 0; }

// Heap residue probe (ABI 2). {"write": true} fills a 64 KiB heap block with a secret
// pattern and leaves it for the runtime to release at the end of the activation;
// {"scan": true} allocates the same size and reports whether any byte of the pattern
// survived. {"heap": false} in the result means the runtime gave no heap.
extern "C" int heap_probe(const char* params, size_t len, const clemmys_context* ctx) {
  constexpr size_t kSize = 64 * 1024;
  constexpr unsigned char kSecret = 0xA5;
  if (ctx->abi_version < 2 || !ctx->heap) {
    reply(ctx, boost::json::object{{"heap", false}});
    return 0;
  }
  auto args = boost::json::parse(std::string_view(params, len)).as_object();
  auto* block = static_cast<unsigned char*>(clemmys_alloc(ctx->heap, kSize));
  if (!block) return 3;
  bool found = false;
  if (args.contains("write")) {
    for (size_t i = 0; i < kSize; ++i) block[i] = kSecret;
  } else {
    for (size_t i = 0; i < kSize && !found; ++i) found = block[i] == kSecret;
  }
  reply(ctx, boost::json::object{{"heap", true}, {"found", found}});
  return 0;
}

// Heap shape probe: reports the heap's capacity and how many pages of a fresh 1 MiB
// block the runtime had committed before the function touched it (mincore). A fresh
// heap's first large block starts on a page boundary with its 16-byte header, which
// the allocator writes: eager shows every page, lazy the header's page only, batched
// one batch. {"heap": false} means the runtime gave no heap.
extern "C" int heap_shape(const char*, size_t, const clemmys_context* ctx) {
  if (ctx->abi_version < 2 || !ctx->heap) {
    reply(ctx, boost::json::object{{"heap", false}});
    return 0;
  }
  constexpr size_t kSize = 1 << 20;
  auto* block = static_cast<unsigned char*>(clemmys_alloc(ctx->heap, kSize));
  if (!block) return 3;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  auto first = reinterpret_cast<uintptr_t>(block) & ~(page - 1);
  size_t pages = (reinterpret_cast<uintptr_t>(block) + kSize - first + page - 1) / page;
  std::vector<unsigned char> resident(pages);
  if (::mincore(reinterpret_cast<void*>(first), pages * page, resident.data()) != 0) return 4;
  size_t count = 0;
  for (unsigned char r : resident) count += r & 1;
  clemmys_free(ctx->heap, block);
  reply(ctx, boost::json::object{{"heap", true},
                                 {"capacity", ctx->heap->capacity},
                                 {"pages", pages},
                                 {"resident", count}});
  return 0;
}
