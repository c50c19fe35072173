// A synchronous HTTP/1.1 client over one persistent TCP connection, with a deadline
// per request. Reconnects transparently when the server closed an idle connection.
// Thread safety: none; use one Client per thread or guard it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "http/message.h"

namespace clemmys::http {

// TLS for a client (TLS 1.3 only). The server certificate must chain to caPem and
// match serverName (IP or DNS name); there is no fallback to the system store.
struct ClientTls {
  std::string caPem;       // trust anchors, PEM
  std::string serverName;  // expected name; defaults to the host
  bool verifyPeer = true;  // false only to fetch a certificate that is checked another way
                           // (e.g. bound to attestation evidence); use peerCertificateDer()
};

// Other file descriptors a client serves while a request waits on its socket: e.g. a
// child process's output pipes, which must not fill up while the child answers
// (invoker/instance.h). Called on the requesting thread.
class WaitHook {
 public:
  static constexpr size_t kMaxFds = 4;
  virtual ~WaitHook() = default;
  // Writes the fds to poll for input (negative entries are skipped); returns how
  // many. Asked again before every wait.
  virtual size_t fds(int (&out)[kMaxFds]) = 0;
  // One of them is readable or hung up.
  virtual void readable() = 0;
};

class Client {
 public:
  Client(std::string host, uint16_t port);
  Client(std::string host, uint16_t port, ClientTls tls);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Errors: "http.connect_failed", "http.tls_handshake_failed", "http.timeout",
  // "http.io" (connection lost).
  Result<Response> request(std::string_view method, std::string_view target,
                           std::string_view body = {}, const Headers& headers = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));
  void close();
  uint16_t port() const;
  // Serve `hook` (not owned; nullptr: none) while requests wait; it must outlive them.
  void setWaitHook(WaitHook* hook);
  // DER of the server's leaf certificate on the current TLS connection ("" if none).
  std::string peerCertificateDer() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clemmys::http
