#include "owner/owner_dir.h"

#include <sys/stat.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "platform/dev_policy.h"

namespace clemmys::owner {
namespace json = boost::json;

std::string resolveOwnerDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("CLEMMYS_OWNER_DIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.clemmys-owner";
}

Status saveApproved(const std::string& dir, const VerifiedProvider& v, const std::string& kmsUrl) {
  json::object o{{"session", v.info.session},
                 {"kms_url", kmsUrl},
                 {"gateway_url", v.info.gatewayUrl},
                 {"evidence_type", attest::evidenceTypeName(v.kms.claims.type)},
                 {"kms_measurement", v.kmsMeasurement},
                 {"gateway_measurement", v.gatewayMeasurement},
                 {"runtime_measurement", v.runtimeMeasurement},
                 {"kms_fingerprint", v.kms.fingerprintHex}};
  if (auto s = platform::writePrivateFile(dir + "/kms-cert.pem", v.kms.certificatePem); !s) return s;
  if (auto s = platform::writePrivateFile(dir + "/kms-url", kmsUrl + "\n"); !s) return s;
  return platform::writePrivateFile(dir + "/verified.json", json::serialize(o) + "\n");
}

Result<Approved> loadApproved(const std::string& dir) {
  auto text = platform::readTextFile(dir + "/verified.json");
  if (!text) return fail("owner.not_verified", "no verified KMS in " + dir + ": run `clemmys owner verify-kms` first");
  json::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return fail("owner.bad_state", dir + "/verified.json is not a JSON object");
  Approved a;
  for (auto [key, out] : {std::pair{"session", &a.session}, {"kms_url", &a.kmsUrl}, {"gateway_url", &a.gatewayUrl},
                          {"evidence_type", &a.evidenceType}, {"kms_measurement", &a.kmsMeasurement},
                          {"gateway_measurement", &a.gatewayMeasurement},
                          {"runtime_measurement", &a.runtimeMeasurement}, {"kms_fingerprint", &a.kmsFingerprint}}) {
    auto f = v.as_object().if_contains(key);
    if (!f || !f->is_string()) return fail("owner.bad_state", dir + "/verified.json lacks " + key);
    *out = std::string(f->as_string());
  }
  return a;
}

Result<crypto::EcPrivateKey> loadOwnerKey(const std::string& dir) {
  if (!std::filesystem::exists(dir + "/owner.pem")) {
    return fail("owner.not_initialised", "no owner key in " + dir + ": run `clemmys owner init`");
  }
  return platform::loadOrCreateOwnerKey(dir);
}

Result<std::string> loadClientAuth(const std::string& dir) {
  auto text = platform::readTextFile(dir + "/client-auth");
  if (!text) return fail("owner.not_initialised", "no client credential in " + dir + ": run `clemmys owner init`");
  std::string s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.find(':') == std::string::npos) return fail("owner.bad_state", dir + "/client-auth is not uuid:key");
  return s;
}

}  // namespace clemmys::owner
