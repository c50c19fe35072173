// Key rotation is durable before any key version is released (issue 16): the
// sealed store's TEE counter increment can fail, or fail after it happened (a lost
// reply), in the middle of a rotation. Whatever the KMS hands out afterwards must
// be exactly what a restarted KMS holds, and the KMS must still be able to start.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

#include "common/encoding.h"
#include "kms/core_fixture.h"
#include "kms/protocol.h"
#include "policy/policy_test_util.h"
#include "policy/update.h"

namespace clemmys::kms {
namespace {

using KeyMap = std::map<uint32_t, std::string>;  // version -> hex of the key

class Rotation : public testing::CoreFixture {
 protected:
  void SetUp() override {
    CoreFixture::SetUp();
    auto yaml = policy::testing::samplePolicy(owner);
    ASSERT_TRUE(sessions->apply(yaml, *policy::signPolicy(*policy::parsePolicy(yaml), owner)));
  }
  Result<uint32_t> rotate(SessionManager& s) {
    auto current = s.describe("demo");
    uint32_t next = static_cast<uint32_t>(current->at("key_versions").as_array().back().to_number<int64_t>()) + 1;
    auto msg = rotateMessage("demo", std::string(current->at("hash").as_string()), next);
    return s.rotate("demo", *owner.sign(crypto::asBytes(msg)));
  }
  // What a release hands out now.
  static KeyMap released(const SessionManager& s) {
    KeyMap out;
    auto m = s.material("demo", "runtime", nullptr);
    EXPECT_TRUE(m) << m.error().str();
    if (m) {
      for (const auto& [v, k] : m->keys) out[v] = toHex(k.view());
    }
    return out;
  }
  // A KMS restarted on the same file and TEE counter (kill -9, then start). The
  // restarted manager stays alive with the fixture (its store re-synchronised the
  // counter: the old one must not write again).
  Result<SessionManager*> restart() {
    stores.push_back(std::make_unique<SealedStore>((dir / "kms.store").string(), platform, random));
    auto plain = stores.back()->load();
    if (!plain) return std::unexpected(plain.error());
    auto state = decodeState(**plain);
    if (!state) return std::unexpected(state.error());
    managers.push_back(std::make_unique<SessionManager>(std::move(*state), *stores.back(), random, clock));
    return managers.back().get();
  }

  crypto::EcPrivateKey owner = *crypto::EcPrivateKey::generateP256();
  std::vector<std::unique_ptr<SealedStore>> stores;
  std::vector<std::unique_ptr<SessionManager>> managers;
};

TEST_F(Rotation, LostCounterReplyKeepsTheVersionAndTheKmsStillStarts) {
  platform.lostIncrementReplies = 1;  // the increment happens, its answer is lost
  auto first = rotate(*sessions);
  auto second = first ? first : rotate(*sessions);  // an owner retries a failed rotation
  KeyMap handedOut = released(*sessions);
  std::printf("rotation with a lost counter reply: first %s, retry %s, versions released %zu\n",
              first ? "ok" : first.error().name.c_str(), second ? "ok" : second.error().name.c_str(),
              handedOut.size());
  auto again = restart();
  ASSERT_TRUE(again) << again.error().str();
  EXPECT_EQ(released(**again), handedOut);
  EXPECT_EQ(handedOut.size(), 2u);
}

TEST_F(Rotation, RefusedIncrementReleasesNothingNewAndTheNextRotationIsDurable) {
  platform.refusedIncrements = 1;
  auto failed = rotate(*sessions);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().name, "tee.counter_failed");
  EXPECT_EQ(released(*sessions).size(), 1u);
  ASSERT_EQ(*rotate(*sessions), 2u);
  KeyMap handedOut = released(*sessions);
  auto again = restart();
  ASSERT_TRUE(again) << again.error().str();
  EXPECT_EQ(released(**again), handedOut);
}

TEST_F(Rotation, UnknownCounterOutcomeRefusesUpdatesUntilRestart) {
  platform.lostIncrementReplies = 1;
  platform.refusedReads = 1;  // and the counter cannot be read back
  ASSERT_FALSE(rotate(*sessions));
  auto wedged = rotate(*sessions);
  ASSERT_FALSE(wedged);
  EXPECT_EQ(wedged.error().name, "kms.store_uncertain");
  KeyMap handedOut = released(*sessions);
  EXPECT_EQ(handedOut.size(), 1u);
  auto again = restart();
  ASSERT_TRUE(again) << again.error().str();
  KeyMap after = released(**again);
  // Every released version came back unchanged (the unreleased v2 may come back too).
  for (const auto& [v, k] : handedOut) EXPECT_EQ(after[v], k) << "version " << v;
  auto next = rotate(**again);
  ASSERT_TRUE(next) << next.error().str();
  EXPECT_EQ(*next, static_cast<uint32_t>(after.rbegin()->first + 1));
}

// Crash points: after every successful rotation a restart holds what was released,
// whatever fault the counter showed on the way (bounded: 30 rotations).
TEST_F(Rotation, EveryReleasedVersionSurvivesARestartUnderCounterFaults) {
  int ok = 0, failed = 0;
  SessionManager* kms = sessions.get();
  for (int i = 0; i < 30; ++i) {
    platform.lostIncrementReplies = i % 3 == 1 ? 1 : 0;
    platform.refusedIncrements = i % 5 == 2 ? 1 : 0;
    auto r = rotate(*kms);
    r ? ++ok : ++failed;
    KeyMap handedOut = released(*kms);
    platform.lostIncrementReplies = platform.refusedIncrements = 0;  // faults of this rotation only
    auto again = restart();  // kill -9 after every rotation, and start again
    ASSERT_TRUE(again) << "after rotation " << i << ": " << again.error().str();
    kms = *again;
    KeyMap after = released(*kms);
    for (const auto& [v, k] : handedOut) ASSERT_EQ(after[v], k) << "rotation " << i << ", version " << v;
  }
  std::printf("30 rotations under counter faults, a restart after each: %d succeeded, %d refused, "
              "every released version durable\n", ok, failed);
  EXPECT_GT(ok, 20);
}

}  // namespace
}  // namespace clemmys::kms
