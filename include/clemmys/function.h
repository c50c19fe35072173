/*
 * Clemmys `cpp` functions: the C ABI between clemmys-runtime and a function built as a
 * shared library. The runtime dlopen()s the library at /init and calls the entry point
 * once per activation, on one thread at a time (action concurrency 1).
 *
 * Entry point: the symbol named by the action's `main` ("clemmys_main" when `main` is
 * the default "main", since `main` cannot be a library function in C++).
 *
 *   extern "C" int clemmys_main(const char* params, size_t params_len,
 *                               const clemmys_context* ctx);
 *
 * `params` is the invocation's parameters as JSON text (an object, or an array inside a
 * sequence), NUL-terminated, valid only during the call. The function reports its result
 * with ctx->set_result() — JSON text of an object or array; a result holding "error" is an
 * application error — and returns 0. A nonzero return, or returning without a result, is
 * an action developer error. stdout and stderr become the activation's logs.
 */
#ifndef CLEMMYS_FUNCTION_H_
#define CLEMMYS_FUNCTION_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLEMMYS_ABI_VERSION 2u

typedef struct clemmys_context {
  uint32_t abi_version; /* CLEMMYS_ABI_VERSION */
  /* The OpenWhisk activation context (also exported as __OW_* environment variables). */
  const char* activation_id;
  const char* action_name;    /* "/ns/pkg/name" */
  const char* action_version; /* "0.0.1" */
  const char* namespace_name;
  const char* transaction_id;
  const char* deadline;       /* epoch milliseconds, decimal */
  const char* api_key;        /* NULL unless the action has provide-api-key */
  /* Sets (replaces) the result; the runtime copies the bytes. */
  void (*set_result)(void* host, const char* json, size_t len);
  void* host;
  /* ABI 2: the enclave-style heap (clemmys/heap.h), NULL when the runtime has none.
   * Check abi_version >= 2 before reading it. */
  const struct clemmys_heap* heap;
} clemmys_context;

typedef int (*clemmys_entry_fn)(const char* params, size_t params_len,
                                const clemmys_context* ctx);

#ifdef __cplusplus
}
#endif

#endif /* CLEMMYS_FUNCTION_H_ */
