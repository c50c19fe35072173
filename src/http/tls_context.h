// Internal: OpenSSL contexts for the HTTP server and client, TLS 1.3 only.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>

#include "common/error.h"
#include "http/client.h"
#include "http/server.h"

namespace clemmys::http::detail {

Result<std::unique_ptr<boost::asio::ssl::context>> makeServerContext(const ServerTls& tls);
Result<std::unique_ptr<boost::asio::ssl::context>> makeClientContext(const ClientTls& tls);

}  // namespace clemmys::http::detail
