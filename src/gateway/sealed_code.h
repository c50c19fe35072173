// The CODE envelope's body (doc/formats/envelope.md §3):
//   {"kind", "main", "binary", "code", "heap"?}
// "heap" holds the action's validated clemmys-heap-* annotations (doc/heap.md): the
// gateway seals them here because in secure mode the runtime must not take heap
// settings from the untrusted /init. The code digest binds them
// (envelope::codeDigest with the canonical heap text), so a CODE sealed with other
// settings is another function to the runtimes' chain checks.
// Thread safety: stateless functions.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

#include "envelope/sealer.h"
#include "heap/heap_settings.h"

namespace clemmys::gateway {

struct CodeBody {
  std::string kind, main, code;
  bool binary = false;
  heap::HeapSettings heap;
  // Not in the body: the CODE header's defaults binding, as openCode found it.
  envelope::Digest defaultsBinding{};
};

std::string codeBodyJson(const CodeBody& body);
envelope::Digest digestOf(const CodeBody& body);

// Opens a stored CODE (wire form) sealed for `fqn` and checks it against the
// DESCRIPTOR's kind and digest. Errors: envelope.*, gateway.wrong_object,
// gateway.bad_code, gateway.code_mismatch.
Result<CodeBody> openCode(const std::string& fqn, std::string_view wire, const std::string& kind,
                          const envelope::Digest& digest, const envelope::KeyRing& keys);

// The heap settings a PUT body asks for: `base` (the settings already sealed, for an
// update) with the body's clemmys-heap-* annotations merged over it by key. Bounded by
// the body's limits.memory when it gives one; the controller checks the stored limit.
// Error gateway.bad_request (the client's 400 text, as the controller words it).
Result<heap::HeapSettings> requestedHeap(const boost::json::object& body, const heap::HeapSettings& base = {});
// True when the body's annotations name any clemmys-heap-* key.
bool requestsHeap(const boost::json::object& body);

// Replaces a document's clemmys-heap-* annotations with the sealed settings, so a
// client reads what the runtimes enforce, whatever the controller kept.
void showSealedHeap(boost::json::object& doc, const heap::HeapSettings& sealed);

}  // namespace clemmys::gateway
