#include "kms/sealed_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "crypto/aead.h"

namespace clemmys::kms {
namespace {

constexpr std::string_view kMagic = "CLKS";
constexpr uint8_t kFormat = 1;
constexpr size_t kHeaderSize = 4 + 1 + 8 + 32 + 12;

Result<std::optional<std::string>> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<std::string>();
    return fail("kms.store_io", "cannot open " + path + ": " + std::strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return std::optional<std::string>(ss.str());
}

Status writeDurably(const std::string& path, const crypto::Bytes& bytes) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail("kms.store_io", "cannot create " + tmp + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return fail("kms.store_io", "write failed: " + std::string(std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail("kms.store_io", "cannot commit " + path + ": " + std::strerror(errno));
  }
  // The rename itself must be durable before the TEE counter moves: otherwise a
  // power loss could bring back the previous file behind an incremented counter
  // (kms.store_rollback at the next start, with a released key version gone).
  std::string dir = path.substr(0, path.find_last_of('/') + 1);
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return fail("kms.store_io", "cannot open the directory of " + path + ": " + std::strerror(errno));
  ok = ::fsync(dfd) == 0;
  ::close(dfd);
  if (!ok) return fail("kms.store_io", "cannot sync the directory of " + path + ": " + std::strerror(errno));
  return {};
}

}  // namespace

SealedStore::SealedStore(std::string path, tee::PlatformServices& platform, Random& random)
    : path_(std::move(path)), platform_(platform), random_(random) {}

Status SealedStore::ensureKey() {
  if (!key_.empty()) return {};
  auto key = platform_.sealingKey(kStoreCounter);
  if (!key) return std::unexpected(key.error());
  if (key->size() != crypto::kAesGcmKeySize) return fail("kms.store_io", "sealing key has the wrong size");
  key_ = std::move(*key);
  return {};
}

Result<std::optional<std::string>> SealedStore::load() {
  if (auto st = ensureKey(); !st) return std::unexpected(st.error());
  auto teeCounter = platform_.counterRead(kStoreCounter);
  if (!teeCounter) return std::unexpected(teeCounter.error());
  auto file = readFile(path_);
  if (!file) return std::unexpected(file.error());
  if (!*file) {
    if (*teeCounter > 0) {
      return fail("kms.store_missing", "the TEE counter is at " + std::to_string(*teeCounter) +
                                           " but the store file is gone (deleted or replaced)");
    }
    counter_ = 0;
    prevHash_ = {};
    return std::optional<std::string>();
  }
  const std::string& raw = **file;
  auto bytes = crypto::asBytes(raw);
  if (bytes.size() < kHeaderSize + crypto::kAesGcmTagSize || raw.compare(0, 4, kMagic) != 0 ||
      bytes[4] != kFormat) {
    return fail("kms.store_corrupt", "not a Clemmys KMS store file");
  }
  uint64_t fileCounter = 0;
  for (size_t i = 0; i < 8; ++i) fileCounter = (fileCounter << 8) | bytes[5 + i];
  auto header = bytes.subspan(0, kHeaderSize);
  auto nonce = bytes.subspan(kHeaderSize - 12, 12);
  auto plain = crypto::aesGcmOpen(key_.view(), nonce, bytes.subspan(kHeaderSize), header);
  if (!plain) return fail("kms.store_unauthentic", "store file does not open with this KMS's sealing key");
  if (fileCounter < *teeCounter) {
    return fail("kms.store_rollback", "store generation " + std::to_string(fileCounter) +
                                          " is older than the TEE counter " + std::to_string(*teeCounter));
  }
  if (fileCounter > *teeCounter + 1) {
    return fail("kms.store_counter_ahead", "store generation " + std::to_string(fileCounter) +
                                               " is ahead of the TEE counter " + std::to_string(*teeCounter));
  }
  if (fileCounter == *teeCounter + 1) {
    // The previous run wrote the file and stopped before incrementing the counter.
    auto inc = platform_.counterIncrement(kStoreCounter);
    if (!inc) return std::unexpected(inc.error());
    log::warn("kms: store was one generation ahead of the TEE counter; counter re-synchronised");
  }
  counter_ = fileCounter;
  prevHash_ = crypto::sha256(bytes);
  return std::optional<std::string>(std::string(plain->begin(), plain->end()));
}

Status SealedStore::save(std::string_view plaintext) {
  if (uncertain_) {
    return fail("kms.store_uncertain", "an earlier update's TEE counter increment has an unknown outcome; "
                                       "restart the KMS to re-synchronise the store");
  }
  if (auto st = ensureKey(); !st) return st;
  uint64_t next = counter_ + 1;
  crypto::Bytes file(kMagic.begin(), kMagic.end());
  file.push_back(kFormat);
  for (int i = 7; i >= 0; --i) file.push_back(static_cast<uint8_t>(next >> (8 * i)));
  file.insert(file.end(), prevHash_.begin(), prevHash_.end());
  crypto::Bytes nonce(crypto::kAesGcmNonceSize);
  random_.fill(nonce.data(), nonce.size());
  file.insert(file.end(), nonce.begin(), nonce.end());
  auto ct = crypto::aesGcmSeal(key_.view(), nonce, crypto::asBytes(plaintext), crypto::ByteView(file));
  if (!ct) return std::unexpected(ct.error());
  file.insert(file.end(), ct->begin(), ct->end());
  if (auto st = writeDurably(path_, file); !st) return st;
  if (auto st = commitCounter(next); !st) return st;
  counter_ = next;
  prevHash_ = crypto::sha256(file);
  return {};
}

Status SealedStore::commitCounter(uint64_t next) {
  auto inc = platform_.counterIncrement(kStoreCounter);
  if (inc && *inc == next) return {};
  if (inc) {
    uncertain_ = true;
    return fail("kms.store_counter_ahead", "TEE counter moved to " + std::to_string(*inc) + ", expected " +
                                               std::to_string(next) + " (another writer?)");
  }
  // The increment failed, but it may have happened (a lost reply): read where the
  // counter is. At `next` the update is durable after all; at `next - 1` it did not
  // happen, and the next save rewrites generation `next` (load() accepts a file one
  // ahead, so a restart may also bring this update back; it was never released).
  // Anything else, or no answer: no further update may be written, because one
  // written as generation `next` behind a counter at `next` would read as a rollback.
  auto now = platform_.counterRead(kStoreCounter);
  if (now && *now == next) {
    log::warn("kms: the store counter increment reported an error but happened; update kept");
    return {};
  }
  if (!now || *now != next - 1) uncertain_ = true;
  return std::unexpected(inc.error());
}

}  // namespace clemmys::kms
