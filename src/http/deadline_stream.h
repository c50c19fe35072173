// Internal: a synchronous stream over a connected TCP socket whose reads and writes
// fail with timed_out once a deadline passes. Asio's blocking reads retry on EAGAIN,
// so SO_RCVTIMEO does not work with them; poll() before each operation does.
// Satisfies Beast's SyncReadStream and SyncWriteStream. While it waits it also serves
// the client's WaitHook, if one is set.
#pragma once

#include <poll.h>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>

#include "http/client.h"

namespace clemmys::http::detail {

class DeadlineStream {
 public:
  using Clock = std::chrono::steady_clock;
  // What asio::ssl::stream needs to layer TLS on top of this stream.
  using lowest_layer_type = boost::asio::ip::tcp::socket;
  using executor_type = lowest_layer_type::executor_type;

  explicit DeadlineStream(boost::asio::ip::tcp::socket& socket) : socket_(&socket) {}

  lowest_layer_type& lowest_layer() { return *socket_; }
  const lowest_layer_type& lowest_layer() const { return *socket_; }
  executor_type get_executor() { return socket_->get_executor(); }

  void expiresAfter(std::chrono::milliseconds d) { deadline_ = Clock::now() + d; }
  void expiresNever() { deadline_ = Clock::time_point::max(); }
  void setHook(WaitHook* hook) { hook_ = hook; }

  // Waits (until the deadline) for the socket to become readable, reading nothing.
  bool waitReadable(boost::system::error_code& ec) { return wait(POLLIN, ec); }

  template <class Buffers>
  size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
    if (!wait(POLLIN, ec)) return 0;
    return socket_->read_some(buffers, ec);
  }
  template <class Buffers>
  size_t read_some(const Buffers& buffers) {
    boost::system::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <class Buffers>
  size_t write_some(const Buffers& buffers, boost::system::error_code& ec) {
    if (!wait(POLLOUT, ec)) return 0;
    return socket_->write_some(buffers, ec);
  }
  template <class Buffers>
  size_t write_some(const Buffers& buffers) {
    boost::system::error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  bool wait(short events, boost::system::error_code& ec) {
    if (deadline_ == Clock::time_point::max() && hook_ == nullptr) return true;
    for (;;) {
      int timeoutMs = -1;
      if (deadline_ != Clock::time_point::max()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
        timeoutMs = left.count() < 0 ? 0 : static_cast<int>(left.count());
      }
      pollfd p[1 + WaitHook::kMaxFds];
      p[0] = {socket_->native_handle(), events, 0};
      nfds_t n = 1;
      if (hook_) {
        int fds[WaitHook::kMaxFds];
        size_t count = hook_->fds(fds);
        for (size_t i = 0; i < count && i < WaitHook::kMaxFds; ++i) p[n++] = {fds[i], POLLIN, 0};
      }
      int r = ::poll(p, n, timeoutMs);
      if (r > 0) {
        if (p[0].revents) return true;
        hook_->readable();  // only the hook's fds: serve them, wait on
        continue;
      }
      if (r == 0) {
        ec = boost::asio::error::timed_out;
        return false;
      }
      if (errno != EINTR) {
        ec = boost::system::error_code(errno, boost::system::system_category());
        return false;
      }
    }
  }

  boost::asio::ip::tcp::socket* socket_;
  WaitHook* hook_ = nullptr;
  Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace clemmys::http::detail
