#include "runtime/kms_key_source.h"

#include "common/clock.h"
#include "kms/protocol.h"
#include "kmsclient/attest_client.h"

namespace clemmys::runtime {
namespace {

int64_t nowMs() { return monotonicUs() / 1000; }

// A prepared nonce the KMS no longer knows (it restarted, or the nonce aged out
// early): worth one retry with a fresh challenge. Any other refusal is final.
bool staleNonce(const Error& e) { return e.name == "kms.nonce_unknown" || e.name == "kms.nonce_expired"; }

}  // namespace

KmsKeySource::KmsKeySource(kmsclient::KmsEndpoint endpoint, std::unique_ptr<tee::Attester> attester,
                           std::string session)
    : endpoint_(std::move(endpoint)), attester_(std::move(attester)), session_(std::move(session)) {
  preparer_ = std::thread([this] { preparerLoop(); });
}

KmsKeySource::~KmsKeySource() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  preparer_.join();
}

Status KmsKeySource::connectLocked() {
  if (client_) return {};
  auto client = kmsclient::pinnedClient(endpoint_);
  if (!client) return std::unexpected(client.error());
  client_.emplace(std::move(*client));
  return {};
}

Result<KmsKeySource::Prepared> KmsKeySource::prepareLocked() {
  if (auto st = connectLocked(); !st) return std::unexpected(st.error());
  auto ephemeral = crypto::EcPrivateKey::generateP256();
  if (!ephemeral) return std::unexpected(ephemeral.error());
  int64_t at = nowMs();
  auto nonce = kmsclient::requestChallenge(*client_);
  if (!nonce) return std::unexpected(nonce.error());
  auto reportData = kms::attestReportData(crypto::asBytes(*nonce), ephemeral->publicPoint());
  auto evidence = attester_->attest(reportData);
  if (!evidence) return std::unexpected(evidence.error());
  return Prepared{std::move(*nonce), std::move(*ephemeral), std::move(*evidence), at};
}

Result<boost::json::object> KmsKeySource::fetch(const std::optional<std::string>& function) {
  std::unique_lock lock(mu_);
  kmsclient::AttestRequest request;
  request.session = session_;
  request.service = "runtime";
  request.function = function;
  bool usedPrepared = prepared_ && nowMs() - prepared_->preparedAtMs < kPreparedMaxAgeMs;
  for (int attempt = 0;; ++attempt) {
    std::optional<Prepared> p;
    if (usedPrepared && attempt == 0) {
      p = std::move(prepared_);
    } else {
      auto fresh = prepareLocked();
      if (!fresh) return std::unexpected(fresh.error());
      p = std::move(*fresh);
    }
    prepared_.reset();
    auto config = kmsclient::submitEvidence(*client_, kmsclient::withInputs(request, p->evidence.inputs), p->nonce,
                                            p->evidence.bytes, attester_->type(), p->ephemeral);
    if (!config && attempt == 0 && usedPrepared && staleNonce(config.error())) continue;
    wanted_ = true;  // the next fetch (typically /init) finds its evidence ready
    lock.unlock();
    cv_.notify_all();
    return config;
  }
}

void KmsKeySource::preparerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    bool stale = prepared_ && nowMs() - prepared_->preparedAtMs >= kPreparedMaxAgeMs / 2;
    if (wanted_ || stale) {
      wanted_ = false;
      auto p = prepareLocked();
      // A failure here costs nothing: the next fetch prepares synchronously and
      // reports whatever error it meets then.
      if (p) prepared_ = std::move(*p);
      else prepared_.reset();
      continue;
    }
    if (prepared_) {
      cv_.wait_for(lock, std::chrono::milliseconds(kPreparedMaxAgeMs / 2));
    } else {
      cv_.wait(lock, [this] { return stopping_ || wanted_; });
    }
  }
}

}  // namespace clemmys::runtime
