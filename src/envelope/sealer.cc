#include "envelope/sealer.h"

#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/hkdf.h"

namespace clemmys::envelope {

void KeyRing::add(uint32_t version, crypto::SecretBytes key) {
  std::unique_lock lock(mutex_);
  keys_[version] = std::move(key);
}

bool KeyRing::has(uint32_t version) const {
  std::shared_lock lock(mutex_);
  return keys_.count(version) > 0;
}

std::optional<uint32_t> KeyRing::current() const {
  std::shared_lock lock(mutex_);
  if (keys_.empty()) return std::nullopt;
  return keys_.rbegin()->first;
}

Result<crypto::SecretBytes> KeyRing::derive(uint32_t version, const Id& id, Type type) const {
  std::shared_lock lock(mutex_);
  auto it = keys_.find(version);
  if (it == keys_.end())
    return fail("envelope.unknown_key_version", "key version " + std::to_string(version));
  std::string info = std::string("clemmys/v1/") + purpose(type);
  return crypto::hkdfSha256(it->second.view(), id, crypto::asBytes(info), 32);
}

Result<Bytes> seal(Header header, ByteView body, const KeyRing& keys, Random& random) {
  auto key = keys.derive(header.keyVersion, header.id, header.type);
  if (!key) return std::unexpected(key.error());
  random.fill(header.nonce.data(), header.nonce.size());
  Bytes out = serializeHeader(header);
  auto sealed = crypto::aesGcmSeal(key->view(), header.nonce, body, out);
  if (!sealed) return std::unexpected(sealed.error());
  out.insert(out.end(), sealed->begin(), sealed->end());
  if (out.size() > kMaxEnvelopeSize) return fail("envelope.too_large", "over 2 MiB");
  return out;
}

Result<Bytes> open(const Parsed& envelope, const KeyRing& keys) {
  const Header& h = envelope.header;
  auto key = keys.derive(h.keyVersion, h.id, h.type);
  if (!key) return std::unexpected(key.error());
  auto body = crypto::aesGcmOpen(key->view(), h.nonce, envelope.sealed, envelope.headerBytes);
  if (!body) return fail("envelope.auth_failed", "authentication tag does not verify");
  return body;
}

std::string toWire(ByteView envelope) {
  std::string_view raw(reinterpret_cast<const char*>(envelope.data()), envelope.size());
  return base64UrlEncode(raw);
}

Result<Bytes> fromWire(std::string_view text) {
  auto raw = base64UrlDecode(text);
  if (!raw) return fail("envelope.not_sealed", "not base64url");
  return Bytes(raw->begin(), raw->end());
}

}  // namespace clemmys::envelope
