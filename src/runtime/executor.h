// An initialised action, ready to run activations. One implementation per way of
// running code: in-process shared libraries (cpp) and ActionLoop child processes
// (python:3, nodejs:20, blackbox).
// Thread safety: none; the proxy calls run() for one activation at a time.
#pragma once

#include <string>

#include "common/error.h"
#include "runtime/activation.h"

namespace clemmys::runtime {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs one activation and returns the function's result as JSON text (not yet
  // checked to be an object or array). Before returning, everything the function
  // wrote to stdout/stderr has been flushed, so the caller's sentinel follows it.
  // Errors are action developer errors; their message is the response's "error".
  virtual Result<std::string> run(const RunRequest& request) = 0;
};

}  // namespace clemmys::runtime
