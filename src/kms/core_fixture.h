// Test-only: the KMS core a release runs through — a sealed store in a fresh
// temporary directory, SessionManager, NonceRegistry, AuditLog and Releaser over
// `verifiers` — all on one FakeClock. Derived fixtures fill `verifiers` (the
// Releaser holds it by reference) and apply policies through `sessions`.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "kms/fake_platform.h"
#include "kms/release.h"

namespace clemmys::kms::testing {

// Returns fixed claims; the test sets them per case ("bad" evidence is malformed).
class FakeVerifier final : public attest::Verifier {
 public:
  Result<attest::Claims> verify(crypto::ByteView evidence, const attest::VerifyOptions&) const override {
    if (std::string(evidence.begin(), evidence.end()) == "bad") return fail("attest.quote_malformed", "bad");
    return claims;
  }
  attest::Claims claims;
};

class CoreFixture : public ::testing::Test {
 protected:
  explicit CoreFixture(int64_t startMs = 1'700'000'000'000) : clock(startMs) {}

  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("kms-core-" + random.hex(6));
    std::filesystem::create_directories(dir);
    store = std::make_unique<SealedStore>((dir / "kms.store").string(), platform, random);
    ASSERT_TRUE(store->load());
    sessions = std::make_unique<SessionManager>(KmsState{}, *store, random, clock);
    audit = std::move(*AuditLog::open((dir / "audit.log").string(), clock));
    releaser = std::make_unique<Releaser>(*sessions, nonces, verifiers, *audit, random);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  FakeClock clock;
  SystemRandom random;
  FakePlatform platform;
  std::filesystem::path dir;
  std::unique_ptr<SealedStore> store;
  std::unique_ptr<SessionManager> sessions;
  NonceRegistry nonces{clock, random};
  std::unique_ptr<AuditLog> audit;
  VerifierMap verifiers;
  std::unique_ptr<Releaser> releaser;
};

}  // namespace clemmys::kms::testing
