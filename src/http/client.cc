#include "http/client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "http/deadline_stream.h"

namespace clemmys::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Client::Impl {
  std::string host;
  uint16_t port;
  asio::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;
  bool connected = false;
  std::string hostHeader;

  Status connect() {
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return fail("http.connect_failed", host + ": " + ec.message());
    asio::connect(socket, results, ec);
    if (ec)
      return fail("http.connect_failed", host + ":" + std::to_string(port) + ": " + ec.message());
    socket.set_option(tcp::no_delay(true), ec);
    buffer.clear();
    connected = true;
    return {};
  }

  void disconnect() {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    connected = false;
  }

};

Client::Client(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->hostHeader = impl_->host + ":" + std::to_string(port);
}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

void Client::close() { impl_->disconnect(); }
uint16_t Client::port() const { return impl_->port; }

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
    if (!findHeader(headers, "content-type")) req.set(bhttp::field::content_type, "application/json");
  }
  req.keep_alive(true);
  req.prepare_payload();

  // A reused keep-alive connection may have been closed by the server while idle;
  // that shows as a failed write or an EOF before any response byte: retry once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = c.connected;
    if (!c.connected) {
      if (auto st = c.connect(); !st) return std::unexpected(st.error());
    }
    detail::DeadlineStream stream(c.socket);
    stream.expiresAfter(timeout);
    boost::system::error_code ec;
    bhttp::write(stream, req, ec);
    if (ec) {
      c.disconnect();
      if (reused) continue;
      return fail("http.io", "write: " + ec.message());
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256ull << 20);
    bhttp::read(stream, c.buffer, parser, ec);
    if (ec) {
      c.disconnect();
      if (ec == asio::error::timed_out)
        return fail("http.timeout", "no response within " + std::to_string(timeout.count()) + " ms");
      if (reused && attempt == 0 && (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                                     ec == asio::error::connection_reset))
        continue;
      return fail("http.io", "read: " + ec.message());
    }
    auto res = parser.release();
    Response r;
    r.status = static_cast<int>(res.result_int());
    for (const auto& field : res)
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    r.body = std::move(res.body());
    if (!res.keep_alive()) c.disconnect();
    return r;
  }
  return fail("http.io", "connection closed by peer");
}

}  // namespace clemmys::http
