// Test double for tee::PlatformServices: a fixed sealing key per label and
// in-memory monotonic counters. Thread-compatible. Faults for the store's tests:
// `lostIncrementReplies` increments that happen but answer with an error (the reply
// was lost), `refusedIncrements` increments that fail without happening,
// `refusedReads` reads that fail.
#pragma once

#include <map>
#include <string>

#include "tee/attester.h"

namespace clemmys::kms::testing {

class FakePlatform final : public tee::PlatformServices {
 public:
  explicit FakePlatform(uint8_t keyByte = 0x42) : keyByte_(keyByte) {}
  Result<crypto::SecretBytes> sealingKey(std::string_view label) override {
    crypto::SecretBytes key(32);
    for (size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<uint8_t>(keyByte_ + i + label.size());
    return key;
  }
  Result<uint64_t> counterRead(std::string_view name) override {
    if (refusedReads > 0 && refusedReads-- > 0) return fail("tee.counter_failed", "injected read failure");
    return counters[std::string(name)];
  }
  Result<uint64_t> counterIncrement(std::string_view name) override {
    if (refusedIncrements > 0 && refusedIncrements-- > 0) return fail("tee.counter_failed", "injected failure");
    uint64_t v = ++counters[std::string(name)];
    if (lostIncrementReplies > 0 && lostIncrementReplies-- > 0) return fail("tee.counter_failed", "reply lost");
    return v;
  }
  std::map<std::string, uint64_t> counters;
  int lostIncrementReplies = 0, refusedIncrements = 0, refusedReads = 0;

 private:
  uint8_t keyByte_;
};

}  // namespace clemmys::kms::testing
