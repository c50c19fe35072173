// Thread-per-connection HTTP/1.1 server on Boost.Beast's synchronous API.
// Why synchronous: handlers block on invocations (the controller waits for a
// runtime); a thread per connection keeps that simple and is fast on loopback.
#include "http/server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <atomic>
#include <list>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "common/log.h"
#include "http/deadline_stream.h"
#include "http/tls_context.h"

namespace clemmys::http {

namespace {

constexpr size_t kReadReserve = 16 * 1024;
// Longer request targets are answered 414 (OpenWhisk names stay far below this).
constexpr size_t kMaxTargetBytes = 8 * 1024;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Connection {
  tcp::socket socket;
  std::string peer;  // source address, for the per-peer bound
  std::thread thread;
  std::atomic<bool> done{false};
  Connection(tcp::socket s, std::string p) : socket(std::move(s)), peer(std::move(p)) {}
};

// Said to a plain-HTTP connection over a bound before closing it; never blocks.
void refuseBusy(tcp::socket& socket, bool tls) {
  if (!tls) {
    static const std::string kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
        "Connection: close\r\nContent-Length: 58\r\n\r\n"
        "{\"error\":\"Too many connections; try again in a moment.\"}\n";
    (void)::send(socket.native_handle(), kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  boost::system::error_code ec;
  socket.close(ec);
}

Request toRequest(bhttp::request<bhttp::string_body>&& req, const std::string& remote) {
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  parseTarget(r.target, r.path, r.query);
  for (const auto& field : req)
    r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  r.body = std::move(req.body());
  r.remoteAddress = remote;
  return r;
}

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, Handler handler, std::unique_ptr<asio::ssl::context> tls)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        tlsContext_(std::move(tls)),
        acceptor_(io_) {}
  ~ServerImpl() override { stop(); }

  Status listen() {
    boost::system::error_code ec;
    if (options_.listenFd) {
      acceptor_.assign(tcp::v4(), *options_.listenFd, ec);
      if (ec) return fail("http.listen_failed", "listen fd: " + ec.message());
    } else {
      auto address = asio::ip::make_address(options_.host, ec);
      if (ec) return fail("http.bad_address", options_.host);
      tcp::endpoint endpoint(address, options_.port);
      acceptor_.open(endpoint.protocol(), ec);
      if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) acceptor_.bind(endpoint, ec);
      if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
      if (ec)
        return fail("http.listen_failed",
                    options_.host + ":" + std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    acceptThread_ = std::thread([this] { acceptLoop(); });
    return {};
  }

  uint16_t port() const override { return port_; }

  void stop() override {
    if (stopping_.exchange(true)) {
      if (acceptThread_.joinable()) acceptThread_.join();
      return;
    }
    // shutdown() wakes a thread blocked in accept()/read() on Linux.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    if (acceptThread_.joinable()) acceptThread_.join();
    std::list<std::unique_ptr<Connection>> conns;
    {
      std::lock_guard lock(mutex_);
      for (auto& c : connections_) ::shutdown(c->socket.native_handle(), SHUT_RDWR);
      conns.swap(connections_);
    }
    for (auto& c : conns)
      if (c->thread.joinable()) c->thread.join();
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

 private:
  void acceptLoop() {
    while (!stopping_) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) {
        if (stopping_) return;
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          continue;
        }
        if (ec == asio::error::invalid_argument || ec == asio::error::bad_descriptor) return;
        continue;
      }
      reapFinished();
      auto remote = socket.remote_endpoint(ec);
      std::string peer = ec ? std::string() : remote.address().to_string();
      std::lock_guard lock(mutex_);
      if (connections_.size() >= options_.maxConnections || peers_[peer] >= options_.maxConnectionsPerPeer) {
        refuseBusy(socket, tlsContext_ != nullptr);  // over a bound: refuse rather than queue without bound
        if (peers_[peer] == 0) peers_.erase(peer);
        continue;
      }
      ++peers_[peer];
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_unique<Connection>(std::move(socket), peer);
      Connection* raw = conn.get();
      connections_.push_back(std::move(conn));
      raw->thread = std::thread([this, raw] {
        serve(*raw);
        raw->done = true;
      });
    }
  }

  void reapFinished() {
    std::list<std::unique_ptr<Connection>> finished;
    {
      std::lock_guard lock(mutex_);
      for (auto it = connections_.begin(); it != connections_.end();) {
        if ((*it)->done) {
          auto peer = peers_.find((*it)->peer);
          if (peer != peers_.end() && --peer->second == 0) peers_.erase(peer);
          finished.push_back(std::move(*it));
          it = connections_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& c : finished)
      if (c->thread.joinable()) c->thread.join();
  }

  void serve(Connection& conn) {
    boost::system::error_code ec;
    auto remoteEp = conn.socket.remote_endpoint(ec);
    std::string remote =
        ec ? std::string() : remoteEp.address().to_string() + ":" + std::to_string(remoteEp.port());
    detail::DeadlineStream plain(conn.socket);
    if (!tlsContext_) {
      serveOn(plain, plain, remote);
    } else {
      asio::ssl::stream<detail::DeadlineStream> tls(plain, *tlsContext_);
      tls.next_layer().expiresAfter(options_.headerTimeout);
      tls.handshake(asio::ssl::stream_base::server, ec);
      if (!ec) {
        serveOn(tls, tls.next_layer(), remote);
        tls.next_layer().expiresAfter(std::chrono::seconds(1));
        tls.shutdown(ec);
      }
    }
    conn.socket.shutdown(tcp::socket::shutdown_both, ec);
    conn.socket.close(ec);
  }

  // Serves requests on one connection until it closes, errs or goes idle.
  template <class Stream>
  void serveOn(Stream& stream, detail::DeadlineStream& deadline, const std::string& remote) {
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    // Beast reads max(512, free capacity) bytes at a time: room up front lets a
    // typical request arrive in one read instead of one poll+read per 512 bytes.
    buffer.reserve(kReadReserve);
    bool first = true;
    while (!stopping_) {
      // A new connection's first request is on the header clock. Between requests a
      // plain connection may be idle for idleTimeout, then its header is on the header
      // clock too. Over TLS, bytes of the next request may already sit inside the TLS
      // layer where polling the socket cannot see them, so a kept-alive TLS connection
      // gets idleTimeout for waiting and its header together.
      if (!first && buffer.size() == 0 && std::is_same_v<Stream, detail::DeadlineStream>) {
        deadline.expiresAfter(options_.idleTimeout);
        if (!deadline.waitReadable(ec)) return;
        deadline.expiresAfter(options_.headerTimeout);
      } else {
        deadline.expiresAfter(first || buffer.size() > 0 ? options_.headerTimeout : options_.idleTimeout);
      }
      first = false;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(64 * 1024);
      parser.body_limit(boost::none);
      bhttp::read_header(stream, buffer, parser, ec);
      if (ec) {
        refuseMalformed(stream, deadline, ec);
        return;
      }
      if (parser.get().target().size() > kMaxTargetBytes) {
        Response r = Response::json(414, {{"error", "The request URI is too long."}});
        write(stream, r, false, parser.get().version(), ec);
        lingeringClose(stream, deadline);
        return;
      }
      auto length = parser.content_length();
      if (length && *length > options_.maxBodyBytes) {
        Response r = tooLarge(*length);
        write(stream, r, false, parser.get().version(), ec);
        lingeringClose(stream, deadline);
        return;
      }
      parser.body_limit(options_.maxBodyBytes);
      deadline.expiresAfter(options_.bodyTimeout);
      bhttp::read(stream, buffer, parser, ec);
      if (ec == bhttp::error::body_limit) {
        Response r = tooLarge(options_.maxBodyBytes + 1);
        write(stream, r, false, parser.get().version(), ec);
        lingeringClose(stream, deadline);
        return;
      }
      if (ec) {
        refuseMalformed(stream, deadline, ec);
        return;
      }
      bool keepAlive = parser.get().keep_alive();
      bool head = parser.get().method() == bhttp::verb::head;
      unsigned version = parser.get().version();
      Request request = toRequest(parser.release(), remote);
      Response response;
      try {
        response = handler_(request);
      } catch (const std::exception& e) {
        // A handler bug must not take the server down; it is a 500 for this request.
        log::error(std::string("http handler threw: ") + e.what());
        response = Response::json(500, {{"error", "internal server error"}});
      }
      deadline.expiresAfter(options_.idleTimeout);  // the handler may have taken a while
      write(stream, response, keepAlive, version, ec, head);
      if (ec || !keepAlive) return;
    }
  }

  // A request the parser refused gets its status (RFC 9110/9112; 431 from RFC 6585)
  // before the close, not a silent one; a connection that merely ended or timed out
  // gets nothing.
  template <class Stream>
  void refuseMalformed(Stream& stream, detail::DeadlineStream& deadline, boost::system::error_code why) {
    int status = 0;
    std::string message;
    if (why == bhttp::error::header_limit) {
      status = 431;
      message = "The request header fields are too large.";
    } else if (why.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
               why != bhttp::error::end_of_stream &&
               why != bhttp::error::partial_message) {
      status = 400;
      message = "The request is malformed (" + why.message() + ").";
    }
    if (status == 0) return;
    Response r = Response::json(status, {{"error", message}});
    boost::system::error_code ec;
    write(stream, r, false, 11, ec);
    lingeringClose(stream, deadline);
  }

  // After refusing a request whose body is still arriving, read and drop what the
  // client keeps sending (bounded in time and bytes) so that closing the socket does
  // not reset the connection before the client has read the refusal.
  template <class Stream>
  void lingeringClose(Stream& stream, detail::DeadlineStream& deadline) {
    deadline.expiresAfter(std::chrono::seconds(2));
    ::shutdown(deadline.lowest_layer().native_handle(), SHUT_WR);
    char scratch[16384];
    boost::system::error_code ec;
    for (size_t total = 0; total < (64u << 20);) {
      size_t n = stream.read_some(asio::buffer(scratch), ec);
      if (ec || n == 0) break;
      total += n;
    }
  }

  Response tooLarge(uint64_t length) {
    return options_.tooLarge ? options_.tooLarge(length, options_.maxBodyBytes)
                             : Response::text(413, "request body too large");
  }

  // `head`: the answer to a HEAD request — its status and headers (Content-Length of
  // the body it would have had), no body.
  template <class Stream>
  void write(Stream& stream, Response& r, bool keepAlive, unsigned version,
             boost::system::error_code& ec, bool head = false) {
    bhttp::response<bhttp::string_body> res;
    res.version(version);
    res.result(static_cast<unsigned>(r.status));
    for (auto& [k, v] : r.headers) res.set(k, v);
    res.body() = std::move(r.body);
    res.keep_alive(keepAlive);
    res.prepare_payload();
    if (head) {
      bhttp::response_serializer<bhttp::string_body> sr{res};
      bhttp::write_header(stream, sr, ec);
      return;
    }
    bhttp::write(stream, res, ec);
  }

  ServerOptions options_;
  Handler handler_;
  std::unique_ptr<asio::ssl::context> tlsContext_;  // null: plain HTTP
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptThread_;
  std::mutex mutex_;
  std::list<std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::string, size_t> peers_;  // open connections per source address
};

}  // namespace

Result<std::unique_ptr<Server>> Server::start(ServerOptions options, Handler handler) {
  std::unique_ptr<boost::asio::ssl::context> tls;
  if (options.tls) {
    auto ctx = detail::makeServerContext(*options.tls);
    if (!ctx) return std::unexpected(ctx.error());
    tls = std::move(*ctx);
  }
  auto server =
      std::make_unique<ServerImpl>(std::move(options), std::move(handler), std::move(tls));
  if (auto st = server->listen(); !st) return std::unexpected(st.error());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace clemmys::http
