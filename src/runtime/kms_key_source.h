// KeySource backed by the KMS: every fetch attests (service "runtime") over a TLS
// connection that accepts only the pinned KMS certificate.
//
// Fast path for /init: attestation is challenge -> evidence -> attest, and only the
// last step depends on what is asked (the function). After each fetch a background
// thread obtains the next challenge and produces its evidence (a fresh ephemeral key
// bound into the report data), so the fetch at /init of a prewarmed runtime is one
// round trip. Prepared evidence older than kPreparedMaxAgeMs (the KMS's nonces live
// 60 s) is renewed in the background, and a refused prepared nonce (e.g. the KMS
// restarted) falls back to a fresh challenge once. The connection (and its TLS
// context) is kept between fetches; the client reconnects if the KMS closed it.
// Thread safety: fetches are serialised internally; the preparer shares the lock.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "crypto/ec_key.h"
#include "http/client.h"
#include "kmsclient/endpoint.h"
#include "runtime/secure_config.h"
#include "tee/attester.h"

namespace clemmys::runtime {

class KmsKeySource final : public KeySource {
 public:
  static constexpr int64_t kPreparedMaxAgeMs = 40'000;

  KmsKeySource(kmsclient::KmsEndpoint endpoint, std::unique_ptr<tee::Attester> attester, std::string session);
  ~KmsKeySource() override;
  Result<boost::json::object> fetch(const std::optional<std::string>& function) override;

  KmsKeySource(const KmsKeySource&) = delete;
  KmsKeySource& operator=(const KmsKeySource&) = delete;

 private:
  struct Prepared {
    std::string nonce;
    crypto::EcPrivateKey ephemeral;
    tee::Evidence evidence;  // with the verifier inputs the attester gathered
    int64_t preparedAtMs = 0;
  };
  Status connectLocked();
  Result<Prepared> prepareLocked();
  void preparerLoop();

  kmsclient::KmsEndpoint endpoint_;
  std::unique_ptr<tee::Attester> attester_;
  std::string session_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<http::Client> client_;  // guarded by mu_
  std::optional<Prepared> prepared_;    // guarded by mu_
  bool wanted_ = false, stopping_ = false;
  std::thread preparer_;
};

}  // namespace clemmys::runtime
