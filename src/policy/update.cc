#include "policy/update.h"

namespace clemmys::policy {

Result<size_t> findSigner(const std::vector<crypto::Bytes>& owners, crypto::ByteView message,
                          crypto::ByteView signature) {
  if (signature.empty()) return fail("policy.signature_missing", "no owner signature");
  for (size_t i = 0; i < owners.size(); ++i) {
    auto key = crypto::PublicKey::fromSpkiDer(owners[i]);
    if (!key) continue;
    if (crypto::verifyEcdsaDer(*key, crypto::HashAlg::kSha256, message, signature)) return i;
  }
  return fail("policy.signature_invalid", "signature is not by an owner of the session");
}

Result<size_t> checkUpdate(const CurrentVersion& current, const Policy& candidate, const std::string& hash,
                           crypto::ByteView signature, const std::set<std::string>& everSeen) {
  if (signature.empty()) return fail("policy.signature_missing", "a policy version must carry an owner signature");
  if (current.policy == nullptr) {
    if (candidate.predecessor) {
      return fail("policy.unknown_session", "session '" + candidate.name + "' does not exist but a predecessor is named");
    }
  } else {
    if (candidate.name != current.policy->name) return fail("policy.name_mismatch", "policy names another session");
    if (!candidate.predecessor) {
      return fail("policy.session_exists",
                  "session '" + candidate.name + "' already has history; a new first version is refused");
    }
    if (*candidate.predecessor != current.hash) {
      return fail("policy.stale_predecessor", "predecessor " + *candidate.predecessor + " is not the current version " +
                                                  current.hash);
    }
    if (candidate.version <= current.policy->version) {
      return fail("policy.version_not_increasing", "version " + std::to_string(candidate.version) +
                                                       " does not exceed " + std::to_string(current.policy->version));
    }
  }
  if (everSeen.contains(hash)) return fail("policy.hash_reused", "policy hash " + hash + " was used before");
  const auto& owners = current.policy != nullptr ? current.policy->owners : candidate.owners;
  return findSigner(owners, crypto::asBytes(canonicalBytes(candidate)), signature);
}

Result<crypto::Bytes> signPolicy(const Policy& policy, const crypto::EcPrivateKey& owner) {
  return owner.sign(crypto::asBytes(canonicalBytes(policy)));
}

}  // namespace clemmys::policy
