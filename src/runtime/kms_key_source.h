// KeySource backed by the KMS: every fetch attests afresh (service "runtime") over a
// TLS connection that accepts only the pinned KMS certificate.
// Thread safety: one fetch at a time (the attester serialises quotes anyway).
#pragma once

#include <memory>
#include <string>

#include "kmsclient/endpoint.h"
#include "runtime/secure_config.h"
#include "tee/attester.h"

namespace clemmys::runtime {

class KmsKeySource final : public KeySource {
 public:
  KmsKeySource(kmsclient::KmsEndpoint endpoint, std::unique_ptr<tee::Attester> attester, std::string session);
  Result<boost::json::object> fetch(const std::optional<std::string>& function) override;

 private:
  kmsclient::KmsEndpoint endpoint_;
  std::unique_ptr<tee::Attester> attester_;
  std::string session_;
};

}  // namespace clemmys::runtime
