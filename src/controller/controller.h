// The controller: Apache OpenWhisk's REST API (the subset in doc/api.md) over HTTP,
// backed by the SQLite store, running activations through an invoker::Invoker.
// State lives under <dataDir>/controller/. At first start it creates the guest subject
// of the installation; auth() returns its "uuid:key".
// Thread safety: start() and stop() from one thread; the accessors from any thread.
// The Invoker, Clock and Random given to start() must outlive the controller and be
// thread-safe.
#pragma once

#include <chrono>

#include <cstdint>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/error.h"
#include "common/random.h"
#include "invoker/invoker.h"

namespace clemmys::controller {

struct ControllerOptions {
  std::string dataDir;            // state lives under <dataDir>/controller/
  std::string host = "127.0.0.1";
  uint16_t port = 0;              // 0: free port
  int maxConcurrentPerNamespace = 64;  // in-flight activations → 429 beyond
  std::string apiHost;            // for __OW_API_HOST-style info, optional
  // Request body limit (413 beyond). Behind the secure gateway it is 1.5 MiB: sealed
  // bodies are base64 of the plaintext plus headers, about 4/3 larger.
  size_t maxBodyBytes = 1 << 20;
  // Activation retention (doc/formats/store-schema.md): complete records older than
  // this are deleted in the background every `retentionInterval`; 0 keeps them.
  std::chrono::milliseconds activationTtl{7LL * 24 * 3600 * 1000};
  std::chrono::milliseconds retentionInterval{60'000};
};

class Controller {
 public:
  // Errors: "store.*" (the database cannot be opened or is too new), "http.*".
  static Result<std::unique_ptr<Controller>> start(ControllerOptions options,
                                                   invoker::Invoker& invoker, Clock& clock,
                                                   Random& random);
  ~Controller();

  uint16_t port() const;
  std::string auth() const;  // "uuid:key" of the installation's guest subject
  std::string ns() const;    // the guest namespace name, "guest"
  // Stops serving, waits for in-flight work (running activations finish and are
  // recorded). Idempotent.
  void stop();

  struct Impl;

 private:
  explicit Controller(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clemmys::controller
