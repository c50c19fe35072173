// Secure mode of the action proxy (doc/secure-mode.md, "Runtime"): /init takes a
// CODE envelope, /run takes {"clemmys": INVOKE, "clemmys-params": PARAMS?} and
// answers with sealed output. The plain ActionProxy still does the running; this
// class opens and checks what arrives, gives the function its released
// configuration (env, argv, files), and seals what leaves.
//
// The CODE accepted at /init names the one PARAMS sealing that goes with it (its
// defaults binding, doc/formats/envelope.md D1–D3); every /run must carry exactly
// that PARAMS, or none when the binding says "no defaults".
//
// Refusals are HTTP 400 {"error":"<named error>"}: the name carries no secret.
// Answers: success 200 {"clemmys": next INVOKE or RESULT}; a result holding "error"
// 200 {"error":{"clemmys": ERROR}}; a runtime-side failure of the function (process
// died, bad result) keeps the plain status (502) with {"error":{"clemmys": ERROR}}.
// Thread safety: handle() may be called from many threads; requests are serialised.
#pragma once

#include <boost/json/object.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "envelope/checks.h"
#include "http/message.h"
#include "runtime/action_proxy.h"
#include "runtime/log_sealer.h"
#include "runtime/private_files.h"
#include "runtime/secure_config.h"

namespace clemmys::runtime {

struct SecureDeps {
  ActionProxy& proxy;
  KeySource& kms;
  envelope::KeyRing& keys;       // filled by the caller from the configuration released at start
  const Clock& clock;
  Random& random;
  LogSealer* logs = nullptr;     // null: function output is not captured (tests)
  const PrivateFiles* files = nullptr;
  // The session's message lifetime (R2b), from the configuration released at start;
  // this default is the policy's own (doc/formats/policy.md).
  int64_t messageLifetimeMs = 300000;
};

class SecureProxy {
 public:
  explicit SecureProxy(SecureDeps deps);

  http::Response handle(const http::Request& request);
  http::Response init(std::string_view body);
  http::Response run(std::string_view body);

 private:
  http::Response initLocked(std::string_view body);
  http::Response runLocked(std::string_view body);
  // R3's "fetch once more": a key version newer than any held triggers one fetch.
  void refreshKeysFor(envelope::ByteView envelope);
  Result<boost::json::object> openParams(const envelope::Bytes& bytes);
  // D2, D3, then the PARAMS opened (empty without defaults).
  Result<boost::json::object> boundDefaults(const boost::json::object& sealedValue);
  // Ends the logs of a request refused before it reached the function.
  void endRefused(bool dropHeld);

  SecureDeps d_;
  std::mutex mu_;
  // An unknown key version makes the runtime ask the KMS again, at most this often
  // (doc/formats/runtime-protocol.md, POST /init step 1). Guarded by mu_.
  static constexpr int64_t kKeyRefetchIntervalMs = 1000;
  std::optional<int64_t> lastKeyRefetchMs_;
  std::string fqn_;
  envelope::Digest defaultsBinding_{};  // from the CODE accepted at /init
  std::unique_ptr<envelope::InvokeGuard> guard_;  // set by a successful /init
  bool reachedProxy_ = false;  // the current request was handed to the ActionProxy
};

}  // namespace clemmys::runtime
