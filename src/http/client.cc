#include "http/client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <optional>

#include "http/deadline_stream.h"
#include "http/tls_context.h"

namespace clemmys::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct Client::Impl {
  std::string host;
  uint16_t port;
  std::optional<ClientTls> tlsOptions;
  std::unique_ptr<ssl::context> tlsContext;  // created lazily, reused across reconnects
  asio::io_context io;
  tcp::socket socket{io};
  detail::DeadlineStream deadline{socket};
  std::unique_ptr<ssl::stream<detail::DeadlineStream>> tls;
  beast::flat_buffer buffer;
  bool connected = false;
  std::string hostHeader;

  Status connect(std::chrono::milliseconds timeout) {
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return fail("http.connect_failed", host + ": " + ec.message());
    asio::connect(socket, results, ec);
    if (ec)
      return fail("http.connect_failed", host + ":" + std::to_string(port) + ": " + ec.message());
    socket.set_option(tcp::no_delay(true), ec);
    buffer.clear();
    // Beast reads max(512, free capacity) bytes at a time: room up front lets a
    // typical response arrive in one read instead of one poll+read per 512 bytes.
    buffer.reserve(16 * 1024);
    if (tlsOptions) {
      if (auto st = handshake(timeout); !st) {
        disconnect();
        return st;
      }
    }
    connected = true;
    return {};
  }

  Status handshake(std::chrono::milliseconds timeout) {
    if (!tlsContext) {
      auto ctx = detail::makeClientContext(*tlsOptions);
      if (!ctx) return std::unexpected(ctx.error());
      tlsContext = std::move(*ctx);
    }
    tls = std::make_unique<ssl::stream<detail::DeadlineStream>>(deadline, *tlsContext);
    std::string name = tlsOptions->serverName.empty() ? host : tlsOptions->serverName;
    boost::system::error_code ec;
    asio::ip::make_address(name, ec);
    if (ec) SSL_set_tlsext_host_name(tls->native_handle(), name.c_str());  // SNI for DNS names
    if (tlsOptions->verifyPeer) tls->set_verify_callback(ssl::host_name_verification(name));
    tls->next_layer().expiresAfter(timeout);
    tls->handshake(ssl::stream_base::client, ec);
    if (ec) return fail("http.tls_handshake_failed", host + ": " + ec.message());
    return {};
  }

  void disconnect() {
    boost::system::error_code ec;
    tls.reset();
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    connected = false;
  }

  template <class Stream>
  Result<Response> exchange(Stream& stream, bhttp::request<bhttp::string_body>& req,
                            std::chrono::milliseconds timeout, bool& retry);
};

template <class Stream>
Result<Response> Client::Impl::exchange(Stream& stream, bhttp::request<bhttp::string_body>& req,
                                        std::chrono::milliseconds timeout, bool& retry) {
  retry = false;
  deadline.expiresAfter(timeout);
  boost::system::error_code ec;
  bhttp::write(stream, req, ec);
  if (ec) {
    retry = true;
    return fail("http.io", "write: " + ec.message());
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(256ull << 20);
  bhttp::read(stream, buffer, parser, ec);
  if (ec) {
    if (ec == asio::error::timed_out)
      return fail("http.timeout", "no response within " + std::to_string(timeout.count()) + " ms");
    retry = ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == ssl::error::stream_truncated;
    return fail("http.io", "read: " + ec.message());
  }
  auto res = parser.release();
  Response r;
  r.status = static_cast<int>(res.result_int());
  for (const auto& field : res)
    r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  r.body = std::move(res.body());
  if (!res.keep_alive()) disconnect();
  return r;
}

Client::Client(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->hostHeader = impl_->host + ":" + std::to_string(port);
}

Client::Client(std::string host, uint16_t port, ClientTls tls) : Client(std::move(host), port) {
  impl_->tlsOptions = std::move(tls);
}

Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

void Client::close() { impl_->disconnect(); }
uint16_t Client::port() const { return impl_->port; }
void Client::setWaitHook(WaitHook* hook) { impl_->deadline.setHook(hook); }

std::string Client::peerCertificateDer() const {
  if (!impl_->tls) return {};
  X509* cert = SSL_get1_peer_certificate(impl_->tls->native_handle());
  if (!cert) return {};
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  std::string out;
  if (len > 0) out.assign(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

Result<Response> Client::request(std::string_view method, std::string_view target,
                                 std::string_view body, const Headers& headers,
                                 std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, c.hostHeader);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.body() = std::string(body);
    if (!findHeader(headers, "content-type"))
      req.set(bhttp::field::content_type, "application/json");
  }
  req.keep_alive(true);
  req.prepare_payload();

  // A reused keep-alive connection may have been closed by the server while idle;
  // that shows as a failed write or an EOF before any response byte: retry once.
  for (int attempt = 0;; ++attempt) {
    bool reused = c.connected;
    if (!c.connected) {
      if (auto st = c.connect(timeout); !st) return std::unexpected(st.error());
    }
    bool retry = false;
    auto r = c.tls ? c.exchange(*c.tls, req, timeout, retry)
                   : c.exchange(c.deadline, req, timeout, retry);
    if (r) return r;
    c.disconnect();
    if (!(retry && reused && attempt == 0)) return r;
  }
}

}  // namespace clemmys::http
