#include "controller/controller.h"

#include "common/log.h"
#include "controller/api.h"
#include "controller/messages.h"
#include "controller/retention.h"
#include "http/server.h"

namespace clemmys::controller {

namespace {
// Threads for activations that outlive their request; bounded, started on demand.
constexpr size_t kPoolThreads = 256;
}  // namespace

struct Controller::Impl {
  ControllerOptions options;
  std::unique_ptr<store::Store> store;
  store::Subject guest;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<ActionRegistry> registry;
  std::unique_ptr<Activator> activator;
  std::unique_ptr<Api> api;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<Retention> retention;
  bool stopped = false;
};

Controller::Controller(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Controller::~Controller() { stop(); }

Result<std::unique_ptr<Controller>> Controller::start(ControllerOptions options,
                                                      invoker::Invoker& invoker, Clock& clock,
                                                      Random& random) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  auto store = store::Store::open(impl->options.dataDir);
  if (!store) return std::unexpected(store.error());
  impl->store = std::move(*store);
  if (int n = impl->store->recoveredOnOpen(); n > 0)
    log::warn("controller: recorded " + std::to_string(n) +
              " interrupted activation(s) as whisk internal errors");
  auto guest = impl->store->ensureSubject("guest", random);
  if (!guest) return std::unexpected(guest.error());
  impl->guest = *guest;
  auto subjects = impl->store->subjects();
  if (!subjects) return std::unexpected(subjects.error());
  impl->auth = std::make_unique<Authenticator>(std::move(*subjects));
  impl->registry = std::make_unique<ActionRegistry>(*impl->store, clock, random);
  impl->activator = std::make_unique<Activator>(*impl->store, *impl->registry, invoker, clock,
                                                random, impl->options.maxConcurrentPerNamespace,
                                                kPoolThreads);
  impl->api = std::make_unique<Api>(impl->options, *impl->store, *impl->registry,
                                    *impl->activator, *impl->auth, clock, random);

  http::ServerOptions so;
  so.host = impl->options.host;
  so.port = impl->options.port;
  so.maxBodyBytes = impl->options.maxBodyBytes;
  Random* rnd = &random;
  so.tooLarge = [rnd](uint64_t length, size_t limit) {
    return errorResponse(413, msg::entityTooBig(length, limit), rnd->hex(16));
  };
  Api* api = impl->api.get();
  auto server = http::Server::start(so, [api](http::Request& r) { return api->handle(r); });
  if (!server) return std::unexpected(server.error());
  impl->server = std::move(*server);
  impl->retention = std::make_unique<Retention>(*impl->store, clock, impl->options.activationTtl,
                                                impl->options.retentionInterval);
  return std::unique_ptr<Controller>(new Controller(std::move(impl)));
}

uint16_t Controller::port() const { return impl_->server->port(); }
std::string Controller::auth() const { return impl_->guest.uuid + ":" + impl_->guest.key; }
std::string Controller::ns() const { return impl_->guest.ns; }

void Controller::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server->stop();     // no new requests; waits for handler threads
  impl_->activator->stop();  // runs queued activations to completion
  impl_->retention->stop();
}

}  // namespace clemmys::controller
