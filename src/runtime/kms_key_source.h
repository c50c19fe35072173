// KeySource backed by the KMS: every fetch attests afresh (service "runtime") over a
// TLS connection that accepts only the pinned KMS certificate. The connection (and
// its TLS context) is kept between fetches: the fetch at /init of a prewarmed runtime
// then pays no handshake (the client reconnects if the KMS closed it meanwhile).
// Thread safety: fetches are serialised internally.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/client.h"
#include "kmsclient/endpoint.h"
#include "runtime/secure_config.h"
#include "tee/attester.h"

namespace clemmys::runtime {

class KmsKeySource final : public KeySource {
 public:
  KmsKeySource(kmsclient::KmsEndpoint endpoint, std::unique_ptr<tee::Attester> attester, std::string session);
  Result<boost::json::object> fetch(const std::optional<std::string>& function) override;

 private:
  std::mutex mu_;
  std::optional<http::Client> client_;  // guarded by mu_
  kmsclient::KmsEndpoint endpoint_;
  std::unique_ptr<tee::Attester> attester_;
  std::string session_;
};

}  // namespace clemmys::runtime
