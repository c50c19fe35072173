#include "platform/policy_additions.h"

#include <yaml-cpp/yaml.h>

namespace clemmys::platform {
namespace {

Error bad(const std::string& why) { return Error{"platform.bad_policy_additions", why}; }

// One node as a single line of flow-style YAML (quoting kept by the emitter).
std::string flow(const YAML::Node& n) {
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e.SetStringFormat(YAML::DoubleQuoted);
  e << n;
  return e.c_str();
}

// Throws YAML::Exception on a conversion yaml-cpp cannot make; the caller maps it.
Result<PolicyAdditions> collect(const YAML::Node& root) {
  PolicyAdditions out;
  if (root.IsNull()) return out;
  if (!root.IsMap()) return std::unexpected(bad("the document must be a mapping"));
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) return std::unexpected(bad("top-level keys must be names"));
    auto key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "functions") {
      if (!v.IsMap()) return std::unexpected(bad("functions must be a mapping fqn -> settings"));
      for (const auto& f : v) {
        if (!f.first.IsScalar()) return std::unexpected(bad("function names must be strings"));
        auto fqn = f.first.as<std::string>();
        if (fqn == "@gateway")
          return std::unexpected(bad("the @gateway entry is managed by clemmys up"));
        if (!f.second.IsMap())
          return std::unexpected(bad("settings of '" + fqn + "' must be a mapping"));
        out.functionsYaml += "  " + flow(f.first) + ": " + flow(f.second) + "\n";
      }
    } else if (key == "secrets") {
      if (!v.IsSequence()) return std::unexpected(bad("secrets must be a list"));
      for (const auto& s : v) {
        if (!s.IsMap()) return std::unexpected(bad("each secret must be a mapping"));
        if (s["name"] && s["name"].IsScalar() && s["name"].as<std::string>() == "client-auth") {
          return std::unexpected(bad("the client-auth secret is managed by clemmys up"));
        }
        out.secretsYaml += "  - " + flow(s) + "\n";
      }
    } else {
      return std::unexpected(bad("unknown key '" + key + "' (only functions and secrets)"));
    }
  }
  return out;
}

}  // namespace

Result<PolicyAdditions> parsePolicyAdditions(const std::string& yaml) {
  try {
    return collect(YAML::Load(yaml));
  } catch (const YAML::Exception& e) {
    return std::unexpected(bad(std::string("not valid YAML here: ") + e.what()));
  }
}

}  // namespace clemmys::platform
