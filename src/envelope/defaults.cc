#include "envelope/defaults.h"

#include "crypto/digest.h"

namespace clemmys::envelope {

Digest noDefaultsBinding() { return crypto::sha256(crypto::asBytes(std::string_view("clemmys/v1/no-defaults"))); }

Digest defaultsBinding(ByteView paramsEnvelope) { return crypto::sha256(paramsEnvelope); }

Status checkBound(const Digest& binding) {
  // Zero: sealed before defaults were bound; fail closed rather than guess.
  if (binding == Digest{}) return fail("runtime.defaults_unbound", "CODE names no defaults binding");
  return {};
}

Status checkDefaults(const Digest& binding, const Bytes* params) {
  if (params == nullptr) {
    if (binding != noDefaultsBinding()) return fail("runtime.defaults_dropped", "the code's sealed defaults are missing");
    return {};
  }
  if (defaultsBinding(*params) != binding)
    return fail("runtime.defaults_substituted", "defaults are not the sealing bound to the code");
  return {};
}

}  // namespace clemmys::envelope
