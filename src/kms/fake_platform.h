// Test double for tee::PlatformServices: a fixed sealing key per label and
// in-memory monotonic counters. Thread-compatible.
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
  Result<uint64_t> counterRead(std::string_view name) override { return counters[std::string(name)]; }
  Result<uint64_t> counterIncrement(std::string_view name) override { return ++counters[std::string(name)]; }
  std::map<std::string, uint64_t> counters;

 private:
  uint8_t keyByte_;
};

}  // namespace clemmys::kms::testing
