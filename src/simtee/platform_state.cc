#include "simtee/platform_state.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "crypto/hkdf.h"
#include "simtee/state_files.h"

namespace clemmys::simtee {
namespace json = boost::json;
namespace {

Result<std::string> counterKey(const crypto::Sha256Digest& measurement, std::string_view name) {
  if (name.empty() || name.size() > 256) return fail("simtee.bad_request", "counter name must be 1..256 bytes");
  return toHex(std::span<const uint8_t>(measurement)) + "/" + std::string(name);
}

}  // namespace

Result<crypto::SecretBytes> deriveSealingKey(const crypto::SecretBytes& platformSecret,
                                             const crypto::Sha256Digest& measurement, std::string_view label) {
  crypto::Bytes info(measurement.begin(), measurement.end());
  info.insert(info.end(), label.begin(), label.end());
  return crypto::hkdfSha256(platformSecret.view(), crypto::asBytes("clemmys-simtee/seal/v1"), info, 32);
}

Result<std::unique_ptr<CounterStore>> CounterStore::open(std::string path) {
  std::unique_ptr<CounterStore> store(new CounterStore(path));
  if (!fileExists(path)) return store;
  auto text = readFile(path);
  if (!text) return std::unexpected(text.error());
  json::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return fail("simtee.state_corrupt", path + " is not a JSON object");
  for (const auto& [k, value] : v.as_object()) {
    if (!value.is_uint64() && !(value.is_int64() && value.as_int64() >= 0)) {
      return fail("simtee.state_corrupt", path + ": counter is not an unsigned integer");
    }
    store->values_[std::string(k)] = value.is_uint64() ? value.as_uint64() : static_cast<uint64_t>(value.as_int64());
  }
  return store;
}

Result<uint64_t> CounterStore::read(const crypto::Sha256Digest& measurement, std::string_view name) {
  auto key = counterKey(measurement, name);
  if (!key) return std::unexpected(key.error());
  std::lock_guard lock(mu_);
  auto it = values_.find(*key);
  return it == values_.end() ? 0 : it->second;
}

Result<uint64_t> CounterStore::increment(const crypto::Sha256Digest& measurement, std::string_view name) {
  auto key = counterKey(measurement, name);
  if (!key) return std::unexpected(key.error());
  std::lock_guard lock(mu_);
  uint64_t& value = values_[*key];
  if (value == UINT64_MAX) return fail("simtee.counter_overflow", "counter is at its maximum");
  ++value;
  if (auto st = persist(); !st) {
    --value;  // not durable, so not reported
    return std::unexpected(st.error());
  }
  return value;
}

Status CounterStore::persist() {
  json::object o;
  for (const auto& [k, v] : values_) o[k] = v;
  return writeFileAtomic(path_, json::serialize(o));
}

}  // namespace clemmys::simtee
