// KmsEndpoint: where a KMS is and which certificate it must present. The
// certificate is the one `clemmys kms verify` checked against the KMS's
// attestation evidence; clients use it as their only TLS trust anchor.
// Plain values; parseKmsUrl is pure.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"
#include "http/client.h"

namespace clemmys::kmsclient {

struct KmsEndpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string certificatePem;  // pinned; empty only for `kms verify` itself
};

// "https://host:port" (or "host:port"). Error: kmsclient.bad_url.
Result<KmsEndpoint> parseKmsUrl(std::string_view url);

// A TLS client that accepts only the pinned certificate. Error:
// kmsclient.not_pinned when the endpoint has no certificate.
Result<http::Client> pinnedClient(const KmsEndpoint& endpoint);

// Error {"error","message"} body of a KMS reply as an Error (kmsclient.http_<status> if none).
Error replyError(const http::Response& response);

}  // namespace clemmys::kmsclient
