// Canonical JSON of a Policy: sorted object keys (std::map order = byte order),
// sorted set-like lists, integers as decimal, strings JSON-escaped by
// Boost.JSON, no whitespace. argv keeps its order (it is a sequence).
#include <boost/json.hpp>

#include <algorithm>

#include "common/encoding.h"
#include "crypto/digest.h"
#include "policy/policy.h"

namespace clemmys::policy {
namespace {

namespace json = boost::json;

std::string str(std::string_view s) { return json::serialize(json::string(s)); }

std::string list(std::vector<std::string> items, bool sorted) {
  if (sorted) std::sort(items.begin(), items.end());
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + str(items[i]);
  return out + "]";
}

// `members` must already be in key order.
std::string object(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out = "{";
  for (size_t i = 0; i < members.size(); ++i) out += (i ? "," : "") + str(members[i].first) + ":" + members[i].second;
  return out + "}";
}

std::string stringMap(const std::map<std::string, std::string>& m) {
  std::vector<std::pair<std::string, std::string>> members;
  for (const auto& [k, v] : m) members.emplace_back(k, str(v));
  return object(members);
}

std::string optionalStr(const std::optional<std::string>& v) { return v ? str(*v) : "null"; }

std::string tdx(const TdxPolicy& t) {
  std::vector<std::pair<std::string, std::string>> members{{"mrconfigid", optionalStr(t.mrConfigId)},
                                                           {"mrowner", optionalStr(t.mrOwner)}};
  for (size_t i = 0; i < t.rtmr.size(); ++i) members.emplace_back("rtmr" + std::to_string(i), optionalStr(t.rtmr[i]));
  return object(members);
}

std::string service(const ServicePolicy& s) {
  std::vector<std::pair<std::string, std::string>> members{{"evidence", list(s.evidence, true)},
                                                           {"measurements", list(s.measurements, true)},
                                                           {"min_svn", std::to_string(s.minSvn)},
                                                           {"product", std::to_string(s.product)},
                                                           {"signer", optionalStr(s.signer)},
                                                           {"tcb_status", list(s.tcbStatus, true)}};
  // Only when set: policies written before the block existed keep their hash.
  if (s.tdx) members.emplace_back("tdx", tdx(*s.tdx));
  return object(members);
}

std::string function(const FunctionPolicy& f) {
  return object({{"argv", list(f.argv, false)},
                 {"env", stringMap(f.env)},
                 {"files", stringMap(f.files)},
                 {"pinned_digests", list(f.pinnedDigests, true)}});
}

std::string secret(const SecretSpec& s) {
  return object({{"export", list(s.exportTo, true)},
                 {"from_session", str(s.fromSession)},
                 {"kind", str(secretKindName(s.kind))},
                 {"name", str(s.name)},
                 {"size", std::to_string(s.size)},
                 {"value", s.value ? str(*s.value) : "null"}});
}

}  // namespace

std::string canonicalBytes(const Policy& p) {
  std::vector<std::string> owners;
  for (const auto& o : p.owners) owners.push_back(toHex(o));
  std::vector<std::pair<std::string, std::string>> services, functions;
  for (const auto& [name, s] : p.services) services.emplace_back(name, service(s));
  for (const auto& [fqn, f] : p.functions) functions.emplace_back(fqn, function(f));
  std::vector<SecretSpec> secrets = p.secrets;
  std::sort(secrets.begin(), secrets.end(), [](const SecretSpec& a, const SecretSpec& b) { return a.name < b.name; });
  std::string secretList = "[";
  for (size_t i = 0; i < secrets.size(); ++i) secretList += (i ? "," : "") + secret(secrets[i]);
  secretList += "]";
  std::vector<std::pair<std::string, std::string>> top{{"functions", object(functions)}};
  // Only when set: versions written before the field existed keep their hash.
  if (p.messageLifetimeS) top.emplace_back("message_lifetime_s", std::to_string(*p.messageLifetimeS));
  top.insert(top.end(), {{"name", str(p.name)},
                         {"owners", list(owners, true)},
                         {"predecessor", p.predecessor ? str(*p.predecessor) : "null"},
                         {"secrets", secretList},
                         {"services", object(services)},
                         {"version", std::to_string(p.version)}});
  return "clemmys-policy-v1\n" + object(top);
}

std::string policyHash(const Policy& policy) {
  return toHex(crypto::sha256(crypto::asBytes(canonicalBytes(policy))));
}

}  // namespace clemmys::policy
