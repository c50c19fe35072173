#include "runtime/kms_key_source.h"

#include "kmsclient/attest_client.h"

namespace clemmys::runtime {

KmsKeySource::KmsKeySource(kmsclient::KmsEndpoint endpoint, std::unique_ptr<tee::Attester> attester,
                           std::string session)
    : endpoint_(std::move(endpoint)), attester_(std::move(attester)), session_(std::move(session)) {}

Result<boost::json::object> KmsKeySource::fetch(const std::optional<std::string>& function) {
  std::lock_guard lock(mu_);
  if (!client_) {
    auto client = kmsclient::pinnedClient(endpoint_);
    if (!client) return std::unexpected(client.error());
    client_.emplace(std::move(*client));
  }
  kmsclient::AttestRequest request;
  request.session = session_;
  request.service = "runtime";
  request.function = function;
  return kmsclient::fetchConfiguration(*client_, *attester_, request);
}

}  // namespace clemmys::runtime
