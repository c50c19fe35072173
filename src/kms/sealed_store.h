// SealedStore: the KMS state as ONE file, encrypted at rest and protected
// against rollback (doc/kms.md, "Store file"):
//
//   file   := header ciphertext
//   header := "CLKS" | format u8 = 1 | counter u64 BE | prev_hash [32] | nonce [12]
//   ciphertext := AES-256-GCM(sealingKey("kms-store"), nonce, state, aad = header)
//
// prev_hash is SHA-256 of the previous file (a hash chain across generations).
// The counter is mirrored in the TEE's monotonic counter "kms-store": save()
// writes the file (temp + fsync + rename) first and then increments the TEE
// counter, so a crash in between leaves the file one ahead (accepted and
// re-synchronised at load); a file BEHIND the TEE counter is an older copy
// and load() refuses it. save() succeeds only once the file (and its directory
// entry) is on disk AND the counter stands at its generation, so whatever the
// caller releases after a successful save() survives any crash. A failed
// increment whose outcome cannot be established (no counter read, or the counter
// elsewhere) leaves the store refusing every further save() with
// kms.store_uncertain until a restart re-synchronises it in load().
//
// Errors: kms.store_rollback, kms.store_missing, kms.store_counter_ahead,
// kms.store_uncertain, kms.store_corrupt, kms.store_unauthentic, kms.store_io,
// plus tee.* errors.
// Thread safety: none; the caller serialises save() calls.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "common/random.h"
#include "crypto/digest.h"
#include "crypto/secret_bytes.h"
#include "tee/attester.h"

namespace clemmys::kms {

inline constexpr std::string_view kStoreCounter = "kms-store";

class SealedStore {
 public:
  // `platform` and `random` must outlive the store.
  SealedStore(std::string path, tee::PlatformServices& platform, Random& random);

  // Plaintext of the current state, or nullopt for a fresh installation.
  Result<std::optional<std::string>> load();
  // Writes `plaintext` as the next generation. REQUIRES: load() succeeded.
  Status save(std::string_view plaintext);
  uint64_t counter() const { return counter_; }

 private:
  Status ensureKey();
  // Moves the TEE counter to `next` after the file of generation `next` is durable.
  Status commitCounter(uint64_t next);

  std::string path_;
  tee::PlatformServices& platform_;
  Random& random_;
  crypto::SecretBytes key_;
  uint64_t counter_ = 0;
  bool uncertain_ = false;  // see kms.store_uncertain above
  crypto::Sha256Digest prevHash_{};
};

}  // namespace clemmys::kms
