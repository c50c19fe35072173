#include "crypto/digest.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace clemmys::crypto {
namespace {

// Digest failures only come from allocation failure or a missing provider: both are
// environment bugs we cannot recover from, so they abort rather than return.
// The algorithm is fetched once and each thread keeps one context: EVP_Digest with
// EVP_sha256() looks the algorithm up by name and allocates a context on every call,
// which cost more than hashing a short chain spec (doc/performance.md).
const EVP_MD* fetched(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) std::abort();
  return md;  // kept for the process's lifetime
}

template <size_t N>
std::array<uint8_t, N> digest(const EVP_MD* md, ByteView data) {
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx local;
  std::array<uint8_t, N> out{};
  unsigned int len = 0;
  if (local.ctx == nullptr || EVP_DigestInit_ex2(local.ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(local.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(local.ctx, out.data(), &len) != 1 || len != N) {
    std::abort();
  }
  return out;
}

const EVP_MD* sha256Md() {
  static const EVP_MD* md = fetched("SHA256");
  return md;
}

}  // namespace

Sha256Digest sha256(ByteView data) { return digest<32>(sha256Md(), data); }
Sha384Digest sha384(ByteView data) {
  static const EVP_MD* md = fetched("SHA384");
  return digest<48>(md, data);
}

struct Sha256::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, sha256Md(), nullptr) != 1) std::abort();
}

Sha256::Sha256(const Sha256& other) : ctx_(std::make_unique<Ctx>()) {
  if (ctx_->md == nullptr || EVP_MD_CTX_copy_ex(ctx_->md, other.ctx_->md) != 1) std::abort();
}

Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other && EVP_MD_CTX_copy_ex(ctx_->md, other.ctx_->md) != 1) std::abort();
  return *this;
}

Sha256::~Sha256() = default;

Sha256& Sha256::update(ByteView data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_->md, data.data(), data.size()) != 1) std::abort();
  return *this;
}

Sha256Digest Sha256::digest() const {
  Sha256 copy(*this);
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(copy.ctx_->md, out.data(), &len) != 1 || len != out.size()) std::abort();
  return out;
}

}  // namespace clemmys::crypto
