// The REST handlers: routing of /api/v1 paths, authentication, namespace checks,
// and the action and activation endpoints (doc/api.md).
// Thread safety: handle() is called concurrently by the HTTP server's connection
// threads; Api holds no mutable state of its own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "controller/action_registry.h"
#include "controller/activator.h"
#include "controller/api_util.h"
#include "controller/controller.h"
#include "http/message.h"
#include "store/store.h"

namespace clemmys::controller {

class Api {
 public:
  Api(const ControllerOptions& options, store::Store& store, ActionRegistry& registry,
      Activator& activator, const Authenticator& auth, Clock& clock, Random& random)
      : options_(options),
        store_(store),
        registry_(registry),
        activator_(activator),
        auth_(auth),
        clock_(clock),
        random_(random) {}

  http::Response handle(http::Request& request);

  using Segments = std::vector<std::string_view>;

 private:
  struct Ctx {
    std::string txid;
    const store::Subject* subject = nullptr;
  };
  http::Response route(http::Request& r, Ctx& ctx, const Segments& segs);
  http::Response info(bool root) const;

  // api_actions.cc
  http::Response actions(http::Request& r, Ctx& ctx, const Segments& rest);
  http::Response listActions(http::Request& r, Ctx& ctx);
  http::Response putAction(http::Request& r, Ctx& ctx, const QualifiedName& name);
  http::Response invoke(http::Request& r, Ctx& ctx, const QualifiedName& name);

  // api_activations.cc
  http::Response activations(http::Request& r, Ctx& ctx, const Segments& rest);
  http::Response listActivations(http::Request& r, Ctx& ctx);

  const ControllerOptions& options_;
  store::Store& store_;
  ActionRegistry& registry_;
  Activator& activator_;
  const Authenticator& auth_;
  Clock& clock_;
  Random& random_;
};

// Status for an unexpected internal failure: logs the error, hides details.
http::Response internalError(const Error& e, std::string_view txid);

// Parses the list paging parameters of `collection` (OpenWhisk's ranges and texts):
// limit default 30, at most 200; skip >= 0. Fills `error` on bad input.
bool parsePaging(const http::Request& r, const std::string& collection, int& limit, int& skip,
                 std::string& error);

}  // namespace clemmys::controller
