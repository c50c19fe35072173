#include "platform/provider_info.h"

#include <boost/json.hpp>

#include <set>

namespace clemmys::platform {
namespace json = boost::json;
namespace {

Error bad(const std::string& what) { return Error{"owner.bad_provider_info", what}; }

json::object launchJson(const LaunchDescription& l) {
  return {{"argv", json::array(l.argv.begin(), l.argv.end())},
          {"manifest", l.manifest},
          {"measurement", l.measurement}};
}

Status onlyKeys(const json::object& o, const std::set<std::string>& allowed, const std::string& where) {
  for (auto& [k, v] : o) {
    if (!allowed.contains(std::string(k))) return std::unexpected(bad("unknown field " + where + std::string(k)));
  }
  return {};
}

Result<std::string> stringField(const json::object& o, const std::string& key, bool required = true) {
  auto v = o.if_contains(key);
  if (!v) {
    if (required) return std::unexpected(bad("missing field " + key));
    return std::string();
  }
  if (!v->is_string()) return std::unexpected(bad(key + " is not a string"));
  return std::string(v->as_string());
}

Result<LaunchDescription> parseLaunch(const json::object& root, const std::string& key) {
  auto v = root.if_contains(key);
  if (!v || !v->is_object()) return std::unexpected(bad("missing object " + key));
  const auto& o = v->as_object();
  if (auto s = onlyKeys(o, {"argv", "manifest", "measurement"}, key + "."); !s) return std::unexpected(s.error());
  LaunchDescription l;
  auto argv = o.if_contains("argv");
  if (!argv || !argv->is_array() || argv->as_array().empty()) return std::unexpected(bad(key + ".argv is not a list"));
  for (auto& a : argv->as_array()) {
    if (!a.is_string()) return std::unexpected(bad(key + ".argv holds a non-string"));
    l.argv.emplace_back(a.as_string());
  }
  auto manifest = stringField(o, "manifest");
  auto measurement = stringField(o, "measurement");
  if (!manifest) return std::unexpected(manifest.error());
  if (!measurement) return std::unexpected(measurement.error());
  l.manifest = *manifest;
  l.measurement = *measurement;
  return l;
}

}  // namespace

std::string providerInfoJson(const ProviderInfo& info) {
  json::object o{{"format", kProviderInfoFormat},
                 {"session", info.session},
                 {"kms_url", info.kmsUrl},
                 {"gateway_url", info.gatewayUrl},
                 {"evidence_type", info.evidenceType},
                 {"kms", launchJson(info.kms)},
                 {"gateway", launchJson(info.gateway)},
                 {"runtime", launchJson(info.runtime)}};
  if (!info.simRootPem.empty()) o["sim_root_pem"] = info.simRootPem;
  return json::serialize(o) + "\n";
}

Result<ProviderInfo> parseProviderInfo(std::string_view text) {
  if (text.size() > kMaxProviderInfoBytes) return std::unexpected(bad("over 16 MiB"));
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::unexpected(bad("not a JSON object"));
  const auto& o = v.as_object();
  if (auto s = onlyKeys(o, {"format", "session", "kms_url", "gateway_url", "evidence_type", "sim_root_pem", "kms",
                            "gateway", "runtime"},
                        "");
      !s) {
    return std::unexpected(s.error());
  }
  auto format = stringField(o, "format");
  if (!format) return std::unexpected(format.error());
  if (*format != kProviderInfoFormat) return std::unexpected(bad("format is not " + std::string(kProviderInfoFormat)));
  ProviderInfo info;
  for (auto [key, out] : {std::pair{"session", &info.session}, {"kms_url", &info.kmsUrl},
                          {"gateway_url", &info.gatewayUrl}, {"evidence_type", &info.evidenceType}}) {
    auto s = stringField(o, key);
    if (!s) return std::unexpected(s.error());
    *out = *s;
  }
  auto root = stringField(o, "sim_root_pem", false);
  if (!root) return std::unexpected(root.error());
  info.simRootPem = *root;
  for (auto [key, out] : {std::pair{"kms", &info.kms}, {"gateway", &info.gateway}, {"runtime", &info.runtime}}) {
    auto l = parseLaunch(o, key);
    if (!l) return std::unexpected(l.error());
    *out = std::move(*l);
  }
  return info;
}

std::string argValue(const std::vector<std::string>& argv, const std::string& flag) {
  for (size_t i = 1; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag) return argv[i + 1];
  }
  return "";
}

}  // namespace clemmys::platform
