#include "runtime/secure_config.h"

#include "common/encoding.h"
#include "envelope/checks.h"

namespace clemmys::runtime {
namespace {

namespace json = boost::json;

Error badConfig(std::string what) { return Error{"runtime.bad_config", std::move(what)}; }

Result<std::vector<std::string>> stringList(const json::value& v, const char* what) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return std::unexpected(badConfig(std::string(what) + " is not a list"));
  for (const auto& item : v.get_array()) {
    if (!item.is_string()) return std::unexpected(badConfig(std::string(what) + " holds a non-string"));
    out.emplace_back(item.get_string());
  }
  return out;
}

}  // namespace

Result<int64_t> messageLifetimeMs(const json::object& config) {
  const auto* v = config.if_contains("message_lifetime_ms");
  if (v == nullptr || !v->is_int64()) return std::unexpected(badConfig("no message_lifetime_ms"));
  int64_t ms = v->as_int64();
  if (ms < 1000 || ms > envelope::kMaxLifetimeMs) return std::unexpected(badConfig("message_lifetime_ms out of range"));
  return ms;
}

Status loadKeys(const json::object& config, envelope::KeyRing& ring) {
  const auto* keys = config.if_contains("keys");
  if (keys == nullptr || !keys->is_array() || keys->get_array().empty()) return std::unexpected(badConfig("no keys"));
  for (const auto& entry : keys->get_array()) {
    const auto* o = entry.if_object();
    const json::value* version = o ? o->if_contains("version") : nullptr;
    const json::value* key = o ? o->if_contains("key") : nullptr;
    if (version == nullptr || !version->is_number() || key == nullptr || !key->is_string()) {
      return std::unexpected(badConfig("malformed key entry"));
    }
    boost::system::error_code ec;
    auto v = version->to_number<uint32_t>(ec);
    auto raw = base64UrlDecode(key->get_string());
    if (ec || !raw || raw->size() != 32) return std::unexpected(badConfig("malformed key entry"));
    ring.add(v, crypto::SecretBytes(crypto::asBytes(*raw)));
    std::fill(raw->begin(), raw->end(), '\0');
  }
  return {};
}

Result<FunctionConfig> functionConfig(const json::object& config) {
  FunctionConfig out;
  if (const auto* env = config.if_contains("env"); env && !env->is_null()) {
    if (!env->is_object()) return std::unexpected(badConfig("env is not an object"));
    for (const auto& [k, v] : env->get_object()) {
      if (!v.is_string() || !isValidEnvName(k)) return std::unexpected(badConfig("bad env entry"));
      out.env.emplace_back(std::string(k), std::string(v.get_string()));
    }
  }
  if (const auto* argv = config.if_contains("argv")) {
    auto list = stringList(*argv, "argv");
    if (!list) return std::unexpected(list.error());
    out.argv = std::move(*list);
  }
  if (const auto* files = config.if_contains("files"); files && !files->is_null()) {
    if (!files->is_object()) return std::unexpected(badConfig("files is not an object"));
    for (const auto& [k, v] : files->get_object()) {
      if (!v.is_string()) return std::unexpected(badConfig("bad files entry"));
      out.files.emplace_back(std::string(k), std::string(v.get_string()));
    }
  }
  if (const auto* pinned = config.if_contains("pinned_digests")) {
    auto list = stringList(*pinned, "pinned_digests");
    if (!list) return std::unexpected(list.error());
    out.pinnedDigests = std::move(*list);
  }
  return out;
}

}  // namespace clemmys::runtime
