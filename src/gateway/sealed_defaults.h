// The gateway's side of the defaults binding (doc/formats/envelope.md, "Sealed
// defaults are bound to their code"): the CODE it seals names, in its header, the
// one PARAMS envelope sealed with it, or "no defaults". On reads and updates of a
// stored action it checks that the controller kept the two together.
// Thread safety: stateless functions.
#pragma once

#include <boost/json/object.hpp>

#include <string>

#include "envelope/defaults.h"

namespace clemmys::gateway {

// The binding for a PARAMS envelope in wire form; "" means no defaults.
// A wire that does not decode binds nothing (zero), which no check accepts.
envelope::Digest bindingOf(std::string_view paramsWire);

// The PARAMS wire of a stored action document ("" when it has none).
// Error: gateway.not_sealed (any other parameter: plaintext the controller made up).
Result<std::string> storedParamsWire(const boost::json::object& doc);

// The stored defaults are the ones the stored CODE binds.
// Errors: gateway.defaults_unbound (a CODE sealed before bindings existed),
// gateway.defaults_dropped, gateway.defaults_substituted.
Status checkStoredDefaults(const envelope::Digest& binding, std::string_view paramsWire);

}  // namespace clemmys::gateway
