// A small HTTP/1.1 server (Boost.Beast underneath): one acceptor thread and one
// thread per connection, keep-alive, handlers called synchronously.
// Thread safety: the handler is called concurrently from connection threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/error.h"
#include "http/message.h"

namespace clemmys::http {

using Handler = std::function<Response(Request&)>;

// TLS for a server: PEM certificate chain (leaf first) and PEM private key.
// Only TLS 1.3 is offered.
struct ServerTls {
  std::string certChainPem;
  std::string privateKeyPem;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;               // 0: pick a free port
  std::optional<int> listenFd;     // use an already bound+listening socket instead
  size_t maxBodyBytes = 1 << 20;   // larger bodies get the tooLarge response
  // Connections beyond either bound get a 503 (plain HTTP; TLS: a close) at once,
  // and those already served go on (doc/api.md, "Limits on connections").
  size_t maxConnections = 4096;
  size_t maxConnectionsPerPeer = 256;  // per source address
  // A request's header must arrive within headerTimeout of its first byte (a new
  // connection's first byte included), its body within bodyTimeout after the header;
  // a kept-alive connection may wait idleTimeout for its next request.
  std::chrono::seconds headerTimeout{10};
  std::chrono::seconds bodyTimeout{30};
  std::chrono::seconds idleTimeout{75};
  // Response for a body over maxBodyBytes (called with the declared length).
  std::function<Response(uint64_t length, size_t limit)> tooLarge;
  std::optional<ServerTls> tls;    // serve HTTPS (TLS 1.3) when set
};

class Server {
 public:
  // Binds and starts serving in background threads.
  static Result<std::unique_ptr<Server>> start(ServerOptions options, Handler handler);
  virtual ~Server() = default;

  virtual uint16_t port() const = 0;
  // Stops accepting, closes all connections, joins all threads. Idempotent.
  virtual void stop() = 0;
};

}  // namespace clemmys::http
