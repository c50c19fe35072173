// The simtee's non-quote platform services (tee::PlatformServices, daemon side).
//  * deriveSealingKey: HKDF-SHA256(ikm = platform secret,
//    salt = "clemmys-simtee/seal/v1", info = measurement (32 bytes) || label),
//    32 bytes. Deterministic, so a restarted process with the same measurement
//    gets the same key; a different measurement never does.
//  * CounterStore: monotonic u64 counters keyed by (measurement, name), kept
//    in <state>/counters.json and persisted atomically (temp file, fsync,
//    rename, fsync dir) BEFORE an increment is reported, so a reported value
//    survives a crash or restart. Thread-safe (internal mutex).
// Errors: simtee.state_io, simtee.state_corrupt, simtee.counter_overflow,
// simtee.bad_request (name empty or over 256 bytes), crypto.kdf_failed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/error.h"
#include "crypto/digest.h"
#include "crypto/secret_bytes.h"

namespace clemmys::simtee {

Result<crypto::SecretBytes> deriveSealingKey(const crypto::SecretBytes& platformSecret,
                                             const crypto::Sha256Digest& measurement, std::string_view label);

class CounterStore {
 public:
  static Result<std::unique_ptr<CounterStore>> open(std::string path);

  Result<uint64_t> read(const crypto::Sha256Digest& measurement, std::string_view name);
  Result<uint64_t> increment(const crypto::Sha256Digest& measurement, std::string_view name);

 private:
  explicit CounterStore(std::string path) : path_(std::move(path)) {}
  Status persist();

  std::string path_;
  std::mutex mu_;
  std::map<std::string, uint64_t> values_;  // "<measurement hex>/<name>"
};

}  // namespace clemmys::simtee
