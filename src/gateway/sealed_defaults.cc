#include "gateway/sealed_defaults.h"

#include <boost/json.hpp>

#include "gateway/action_codec.h"

namespace clemmys::gateway {

namespace json = boost::json;

envelope::Digest bindingOf(std::string_view paramsWire) {
  if (paramsWire.empty()) return envelope::noDefaultsBinding();
  auto bytes = envelope::fromWire(paramsWire);
  return bytes ? envelope::defaultsBinding(*bytes) : envelope::Digest{};
}

Result<std::string> storedParamsWire(const json::object& doc) {
  std::string wire;
  auto* p = doc.if_contains("parameters");
  if (p == nullptr || !p->is_array()) return wire;
  for (const auto& item : p->as_array()) {
    auto* o = item.if_object();
    auto* k = o != nullptr ? o->if_contains("key") : nullptr;
    auto* v = o != nullptr ? o->if_contains("value") : nullptr;
    if (k == nullptr || !k->is_string() || k->as_string() != kParamsKey || v == nullptr || !v->is_string() ||
        !wire.empty())
      return fail("gateway.not_sealed", "unsealed parameter in stored action");
    wire = std::string(v->as_string());
  }
  return wire;
}

Status checkStoredDefaults(const envelope::Digest& binding, std::string_view paramsWire) {
  if (binding == envelope::Digest{})
    return fail("gateway.defaults_unbound", "the stored code was sealed before defaults were bound; re-deploy it");
  if (bindingOf(paramsWire) == binding) return {};
  if (paramsWire.empty()) return fail("gateway.defaults_dropped", "the stored code's sealed defaults are missing");
  return fail("gateway.defaults_substituted", "the stored defaults are not the ones sealed with the code");
}

}  // namespace clemmys::gateway
