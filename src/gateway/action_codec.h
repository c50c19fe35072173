// Translation of OpenWhisk action documents between the client's plaintext and
// the sealed form the controller stores (doc/formats/envelope.md §3):
//   exec.code   = CODE {kind, main, binary, code, heap?}   (gateway/sealed_code.h)
//   parameters  = [{"key":"clemmys-params","value": PARAMS {name: value}}]
//   annotation clemmys-descriptor = DESCRIPTOR {fqn, kind, code_digest, components?,
//                                              init_params?}
// Every sealed object names the action's fqn as its target.
// Errors: gateway.bad_request (message is the client-facing 400 text, as the
// controller words it), envelope.* and gateway.* when stored objects do not open.
// Thread safety: stateless functions; the Random in SealContext must not be
// shared across threads unless it is itself thread-safe (SystemRandom is).
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "common/random.h"
#include "envelope/sealer.h"

namespace clemmys::gateway {

inline constexpr const char* kParamsKey = "clemmys-params";
inline constexpr const char* kDescriptorAnnotation = "clemmys-descriptor";
inline constexpr const char* kMalformed = "The request content was malformed:\n";

struct SealContext {
  const envelope::KeyRing& keys;
  uint32_t keyVersion;
  Random& random;
};

struct Descriptor {
  std::string fqn;
  std::string kind;
  envelope::Digest codeDigest{};             // atomic actions
  std::vector<std::string> components;       // sequences, fully qualified
  std::vector<std::string> initParams;       // names of init:true parameters
};

// "/ns/name" or "/ns/pkg/name" for a path namespace and name ("pkg/name").
std::string fqnOf(std::string_view ns, std::string_view name);
// A sequence component as the controller resolves it: "/_/x" → "/<ns>/x".
Result<std::string> resolveComponent(std::string_view component, std::string_view ns);

// Create/replace with `exec`: returns the body to forward. `ns` is the resolved
// namespace (for sequence components).
Result<boost::json::object> sealActionBody(const boost::json::object& body, const std::string& fqn,
                                           const std::string& ns, const SealContext& ctx);
// overwrite=true without `exec`: re-seals parameters (when given) against the
// current stored document, whose DESCRIPTOR is opened for kind and digest; the
// stored CODE is re-sealed bound to the new defaults (or, for new heap settings
// alone, to the stored ones, checked first: gateway.defaults_*).
Result<boost::json::object> sealUpdateBody(const boost::json::object& body, const boost::json::object& stored,
                                           const SealContext& ctx);

// A stored document (GET/PUT/DELETE reply) back to plaintext. Error
// gateway.not_sealed when it carries no DESCRIPTOR.
Result<boost::json::object> openActionDocument(const boost::json::object& doc, const envelope::KeyRing& keys);
// A list summary without the sealed annotation.
void stripSummary(boost::json::object& summary);

// The fqn of a stored document: "/" + namespace + "/" + name.
std::string documentFqn(const boost::json::object& doc);
Result<Descriptor> descriptorOf(const boost::json::object& doc, const envelope::KeyRing& keys);

// Seals `plaintext` as a CODE/PARAMS/DESCRIPTOR envelope for `fqn` (wire form),
// and opens one, checking type and target. Errors: envelope.*, gateway.wrong_object.
// `chainId`: the header field, for CODE its defaults binding (sealed_defaults.h).
Result<std::string> sealObject(envelope::Type type, const std::string& fqn, std::string_view plaintext,
                               const SealContext& ctx, const envelope::Digest& chainId = {});
struct OpenedObject {
  envelope::Header header;
  std::string text;
};
Result<OpenedObject> openSealed(envelope::Type type, std::string_view fqn, std::string_view wire,
                                const envelope::KeyRing& keys);
Result<std::string> openObject(envelope::Type type, std::string_view fqn, std::string_view wire,
                               const envelope::KeyRing& keys);

}  // namespace clemmys::gateway
