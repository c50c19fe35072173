// The binding of an action's sealed defaults to its code (doc/formats/envelope.md
// §2 "Sealed defaults are bound to their code", checks D1–D3). A CODE envelope's
// header carries, where other types carry chain_id, the SHA-256 of the one PARAMS
// envelope sealed with it, or the digest of "no defaults". The binding is AAD, so
// the controller can neither drop, swap nor roll back the defaults of a code it
// serves. Thread safety: stateless functions.
#pragma once

#include "envelope/envelope.h"

namespace clemmys::envelope {

// SHA-256("clemmys/v1/no-defaults"): an action without defaults, said explicitly.
Digest noDefaultsBinding();
// SHA-256 of a whole PARAMS envelope (header, ciphertext and tag).
Digest defaultsBinding(ByteView paramsEnvelope);

// D1: a CODE header's binding is set. Error: runtime.defaults_unbound.
Status checkBound(const Digest& binding);
// D2, D3: what a /run carries (`params`, null when none) is what the CODE binds.
// Errors: runtime.defaults_dropped, runtime.defaults_substituted.
Status checkDefaults(const Digest& binding, const Bytes* params);

}  // namespace clemmys::envelope
