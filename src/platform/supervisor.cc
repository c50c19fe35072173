// SecurePlatform's supervision (doc/secure-mode.md, "Supervision"): a part that has
// ended is started again, with the same command line (so the same measurement and
// the policy that names it) and with backoff.
#include <algorithm>

#include "platform/dev_policy.h"
#include "platform/secure_platform.h"

namespace clemmys::platform {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds backoff(int failures) {
  return std::min(std::chrono::milliseconds(30000), std::chrono::milliseconds(500) * (1 << std::min(failures, 6)));
}

// The trusted process has ended (a simtee that cannot answer is the simtee's problem).
bool ended(std::unique_ptr<TrustedProcess>& p) {
  if (!p) return true;
  auto status = p->exitStatus();
  return status && status->has_value();
}

}  // namespace

bool SecurePlatform::restart(const char* part, Restarts& r, const std::function<Status()>& attempt,
                             std::ostream& progress) {
  auto now = Clock::now();
  if (now < r.notBefore) return false;
  progress << "supervisor: " << part << " has ended; starting it again (attempt " << r.failures + 1 << ")"
           << std::endl;
  if (auto s = attempt(); !s) {
    auto wait = backoff(r.failures++);
    r.notBefore = Clock::now() + wait;
    progress << "supervisor: " << part << " did not come back: " << s.error().str() << "; next try in "
             << wait.count() << " ms" << std::endl;
    return false;
  }
  r.upSince = Clock::now();
  progress << "supervisor: " << part << " is back" << std::endl;
  return true;
}

Status SecurePlatform::relaunchKms() {
  kms_.reset();
  auto sock = listenLoopback(kmsPort_);
  if (!sock) return std::unexpected(sock.error());
  if (sock->second != kmsPort_) {
    ::close(sock->first);
    return fail("platform.port_in_use", "the KMS's port " + std::to_string(kmsPort_) + " is taken");
  }
  auto cert = launchKms(sock->first);
  if (!cert) return std::unexpected(cert.error());
  auto pinned = readTextFile(kmsCertPath_);
  if (!pinned || *pinned != *cert) {
    return fail("platform.kms_changed", "the KMS came back with another certificate (its store was replaced?)");
  }
  return {};
}

Status SecurePlatform::restartEverything(std::ostream& progress) {
  // The simtee's launches died with it; what is left are our handles.
  if (gateway_) gateway_->stop(std::chrono::milliseconds(200));
  if (untrusted_) untrusted_->stop();
  if (kms_) kms_->stop(std::chrono::milliseconds(200));
  gateway_.reset();
  untrusted_.reset();
  kms_.reset();
  if (auto s = startSimtee(progress); !s) return s;
  if (auto s = relaunchKms(); !s) return s;
  if (auto s = startUntrusted(progress); !s) return s;
  return startGateway(progress);
}

void SecurePlatform::supervise(std::ostream& progress) {
  if (stopped_) return;
  auto now = Clock::now();
  for (Restarts* r : {&simteeRestarts_, &kmsRestarts_, &untrustedRestarts_, &gatewayRestarts_}) {
    if (r->failures > 0 && now - r->upSince > std::chrono::minutes(1) && now > r->notBefore) r->failures = 0;
  }
  if (!simtee_.running()) {
    // Without the simtee nothing else can be launched, signalled or attested.
    restart("simtee (and with it the KMS, controller + invoker and gateway)", simteeRestarts_,
            [&] { return restartEverything(progress); }, progress);
    return;
  }
  if (ended(kms_)) {
    restart("the KMS", kmsRestarts_, [&] { return relaunchKms(); }, progress);
  }
  if (!untrusted_ || !untrusted_->running()) {
    restart("controller + invoker", untrustedRestarts_, [&]() -> Status {
      untrusted_.reset();
      return startUntrusted(progress);
    }, progress);
  }
  if (untrusted_ && ended(gateway_)) {
    restart("the gateway", gatewayRestarts_, [&]() -> Status {
      gateway_.reset();
      return startGateway(progress);
    }, progress);
  }
}

}  // namespace clemmys::platform
