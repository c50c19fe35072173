// Strict YAML -> Policy. Every mapping is checked against its allowed keys and
// for duplicates (yaml-cpp itself keeps only one of two equal keys silently).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "common/encoding.h"
#include "crypto/ec_key.h"
#include "policy/policy.h"
#include "policy/references.h"

namespace clemmys::policy {
namespace {

struct Parser {
  Error err;
  bool failed = false;

  bool bad(std::string name, std::string message) {
    if (!failed) err = Error{std::move(name), std::move(message)};
    failed = true;
    return false;
  }

  // Checks a mapping's keys; returns false (and records the error) on unknown or duplicate keys.
  bool mapping(const YAML::Node& node, const std::string& where, const std::set<std::string>& allowed) {
    if (!node.IsMap()) return bad("policy.bad_type", where + " must be a mapping");
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) return bad("policy.bad_type", where + ": keys must be scalars");
      std::string key = kv.first.Scalar();
      if (!seen.insert(key).second) return bad("policy.duplicate_key", where + ": key '" + key + "' repeated");
      if (!allowed.empty() && !allowed.contains(key)) return bad("policy.unknown_key", where + ": unknown key '" + key + "'");
    }
    return true;
  }

  bool scalar(const YAML::Node& node, const std::string& where, std::string& out) {
    if (!node.IsScalar()) return bad("policy.bad_type", where + " must be a scalar");
    out = node.Scalar();
    return true;
  }

  bool integer(const YAML::Node& node, const std::string& where, uint64_t max, uint64_t& out) {
    std::string s;
    if (!scalar(node, where, s)) return false;
    if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return bad("policy.bad_value", where + " must be a non-negative integer");
    }
    out = std::stoull(s);
    if (out > max) return bad("policy.bad_value", where + " is too large");
    return true;
  }

  bool stringList(const YAML::Node& node, const std::string& where, std::vector<std::string>& out) {
    if (!node.IsSequence()) return bad("policy.bad_type", where + " must be a list");
    for (size_t i = 0; i < node.size(); ++i) {
      std::string s;
      if (!scalar(node[i], where + "[" + std::to_string(i) + "]", s)) return false;
      out.push_back(std::move(s));
    }
    return true;
  }

  bool stringMap(const YAML::Node& node, const std::string& where, std::map<std::string, std::string>& out) {
    if (!mapping(node, where, {})) return false;
    for (const auto& kv : node) {
      std::string v;
      if (!scalar(kv.second, where + "." + kv.first.Scalar(), v)) return false;
      out[kv.first.Scalar()] = std::move(v);
    }
    return true;
  }

  bool hexDigest(std::string& value, const std::string& where, size_t minBytes, size_t maxBytes) {
    std::transform(value.begin(), value.end(), value.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
    auto raw = fromHex(value);
    if (!raw || raw->size() < minBytes || raw->size() > maxBytes) {
      return bad("policy.bad_measurement", where + " must be hex of " + std::to_string(minBytes) + ".." +
                                               std::to_string(maxBytes) + " bytes");
    }
    return true;
  }

  bool hexList(const YAML::Node& node, const std::string& where, std::vector<std::string>& out, size_t minB, size_t maxB) {
    if (!stringList(node, where, out)) return false;
    for (size_t i = 0; i < out.size(); ++i) {
      if (!hexDigest(out[i], where + "[" + std::to_string(i) + "]", minB, maxB)) return false;
    }
    return true;
  }

  bool service(const YAML::Node& node, const std::string& where, ServicePolicy& s) {
    if (!mapping(node, where, {"measurements", "signer", "product", "min_svn", "evidence", "tcb_status", "tdx"})) {
      return false;
    }
    if (node["measurements"] && !hexList(node["measurements"], where + ".measurements", s.measurements, 32, 48)) return false;
    if (node["signer"]) {
      std::string signer;
      if (!scalar(node["signer"], where + ".signer", signer) || !hexDigest(signer, where + ".signer", 32, 48)) return false;
      s.signer = signer;
      uint64_t v = 0;
      if (!node["product"]) return bad("policy.missing_field", where + ": signer needs product");
      if (!integer(node["product"], where + ".product", 0xffff, v)) return false;
      s.product = static_cast<uint32_t>(v);
      if (node["min_svn"]) {
        if (!integer(node["min_svn"], where + ".min_svn", 0xffffffff, v)) return false;
        s.minSvn = static_cast<uint32_t>(v);
      }
    } else if (node["product"] || node["min_svn"]) {
      return bad("policy.bad_value", where + ": product/min_svn need signer");
    }
    if (s.measurements.empty() && !s.signer) {
      return bad("policy.missing_field", where + " needs measurements or signer + product");
    }
    if (!node["evidence"]) return bad("policy.missing_field", where + ".evidence");
    if (!stringList(node["evidence"], where + ".evidence", s.evidence)) return false;
    for (const auto& e : s.evidence) {
      if (e != "sgx" && e != "tdx" && e != "snp" && e != "sim") {
        return bad("policy.bad_value", where + ".evidence: unknown type '" + e + "'");
      }
    }
    if (node["tcb_status"]) {
      if (!stringList(node["tcb_status"], where + ".tcb_status", s.tcbStatus)) return false;
      for (const auto& t : s.tcbStatus) {
        if (!knownTcbStatus(t)) return bad("policy.bad_value", where + ".tcb_status: unknown status '" + t + "'");
      }
    } else {
      s.tcbStatus = {"UpToDate"};
    }
    if (node["tdx"]) {
      if (std::find(s.evidence.begin(), s.evidence.end(), "tdx") == s.evidence.end()) {
        return bad("policy.bad_value", where + ".tdx needs tdx in evidence");
      }
      s.tdx.emplace();
      if (!tdx(node["tdx"], where + ".tdx", *s.tdx)) return false;
    }
    return true;
  }

  bool tdx(const YAML::Node& node, const std::string& where, TdxPolicy& t) {
    if (!mapping(node, where, {"rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid", "mrowner"})) return false;
    if (node.size() == 0) return bad("policy.bad_value", where + " must name at least one field");
    auto field = [&](const char* key, std::optional<std::string>& out) {
      if (!node[key]) return true;
      std::string v;
      if (!scalar(node[key], where + "." + key, v) || !hexDigest(v, where + "." + key, 48, 48)) return false;
      out = std::move(v);
      return true;
    };
    for (size_t i = 0; i < t.rtmr.size(); ++i) {
      if (!field(("rtmr" + std::to_string(i)).c_str(), t.rtmr[i])) return false;
    }
    return field("mrconfigid", t.mrConfigId) && field("mrowner", t.mrOwner);
  }

  bool function(const YAML::Node& node, const std::string& where, FunctionPolicy& f) {
    if (node.IsNull()) return true;  // "fqn:" with no settings
    if (!mapping(node, where, {"env", "argv", "files", "pinned_digests"})) return false;
    if (node["env"] && !stringMap(node["env"], where + ".env", f.env)) return false;
    if (node["argv"] && !stringList(node["argv"], where + ".argv", f.argv)) return false;
    if (node["files"] && !stringMap(node["files"], where + ".files", f.files)) return false;
    if (node["pinned_digests"] && !hexList(node["pinned_digests"], where + ".pinned_digests", f.pinnedDigests, 32, 32)) {
      return false;
    }
    return true;
  }

  bool secret(const YAML::Node& node, const std::string& where, SecretSpec& s) {
    if (!mapping(node, where, {"name", "kind", "size", "from_session", "value", "export"})) return false;
    if (!node["name"]) return bad("policy.missing_field", where + ".name");
    if (!scalar(node["name"], where + ".name", s.name)) return false;
    if (!validName(s.name)) return bad("policy.bad_name", where + ".name: use [A-Za-z0-9_-]");
    if (!node["kind"]) return bad("policy.missing_field", where + ".kind");
    std::string kind;
    if (!scalar(node["kind"], where + ".kind", kind)) return false;
    static const std::map<std::string, SecretKind> kinds = {{"aes-256", SecretKind::kAes256},
                                                            {"random", SecretKind::kRandom},
                                                            {"x509", SecretKind::kX509},
                                                            {"imported", SecretKind::kImported},
                                                            {"supplied", SecretKind::kSupplied}};
    auto it = kinds.find(kind);
    if (it == kinds.end()) return bad("policy.bad_secret", where + ".kind: unknown kind '" + kind + "'");
    s.kind = it->second;
    bool wantsSize = s.kind == SecretKind::kRandom, wantsFrom = s.kind == SecretKind::kImported,
         wantsValue = s.kind == SecretKind::kSupplied;
    if (node["size"] && !wantsSize) return bad("policy.bad_secret", where + ": size applies to random only");
    if (node["from_session"] && !wantsFrom) return bad("policy.bad_secret", where + ": from_session applies to imported only");
    if (node["value"] && !wantsValue) return bad("policy.bad_secret", where + ": value applies to supplied only");
    if (wantsFrom && !node["from_session"]) return bad("policy.missing_field", where + ".from_session");
    if (wantsValue && !node["value"]) return bad("policy.missing_field", where + ".value");
    if (node["size"]) {
      uint64_t size = 0;
      if (!integer(node["size"], where + ".size", 4096, size)) return false;
      if (size == 0) return bad("policy.bad_secret", where + ".size must be positive");
      s.size = static_cast<uint32_t>(size);
    }
    if (node["from_session"] && !scalar(node["from_session"], where + ".from_session", s.fromSession)) return false;
    if (node["value"]) {
      std::string v;
      if (!scalar(node["value"], where + ".value", v)) return false;
      s.value = std::move(v);
    }
    if (node["export"] && !stringList(node["export"], where + ".export", s.exportTo)) return false;
    return true;
  }

  bool owners(const YAML::Node& node, std::vector<crypto::Bytes>& out) {
    std::vector<std::string> pems;
    if (!stringList(node, "owners", pems)) return false;
    if (pems.empty()) return bad("policy.missing_field", "owners must list at least one key");
    for (size_t i = 0; i < pems.size(); ++i) {
      auto key = crypto::p256FromPem(pems[i]);
      if (!key) return bad("policy.bad_owner_key", "owners[" + std::to_string(i) + "]: " + key.error().str());
      out.push_back(key->spkiDer());
    }
    return true;
  }

  bool top(const YAML::Node& root, Policy& p) {
    if (!mapping(root, "policy", {"name", "version", "predecessor", "message_lifetime_s", "owners", "services", "functions",
                               "secrets"})) {
      return false;
    }
    for (const char* required : {"name", "version", "owners", "services"}) {
      if (!root[required]) return bad("policy.missing_field", required);
    }
    if (!scalar(root["name"], "name", p.name)) return false;
    if (!validName(p.name)) return bad("policy.bad_name", "name: use [A-Za-z0-9_-], 1..128 characters");
    if (!integer(root["version"], "version", UINT64_MAX >> 1, p.version)) return false;
    if (root["predecessor"]) {
      std::string pred;
      if (!scalar(root["predecessor"], "predecessor", pred) || !hexDigest(pred, "predecessor", 32, 32)) return false;
      p.predecessor = pred;
    }
    if (root["message_lifetime_s"]) {
      uint64_t s = 0;
      if (!integer(root["message_lifetime_s"], "message_lifetime_s", kMaxMessageLifetimeS, s)) return false;
      if (s == 0) return bad("policy.bad_value", "message_lifetime_s must be at least 1");
      p.messageLifetimeS = static_cast<uint32_t>(s);
    }
    if (!owners(root["owners"], p.owners)) return false;
    if (!mapping(root["services"], "services", {})) return false;
    for (const auto& kv : root["services"]) {
      std::string name = kv.first.Scalar();
      if (!validName(name)) return bad("policy.bad_name", "services." + name);
      if (!service(kv.second, "services." + name, p.services[name])) return false;
    }
    if (root["functions"]) {
      if (!mapping(root["functions"], "functions", {})) return false;
      for (const auto& kv : root["functions"]) {
        if (!function(kv.second, "functions." + kv.first.Scalar(), p.functions[kv.first.Scalar()])) return false;
      }
    }
    if (root["secrets"]) {
      if (!root["secrets"].IsSequence()) return bad("policy.bad_type", "secrets must be a list");
      std::set<std::string> names;
      for (size_t i = 0; i < root["secrets"].size(); ++i) {
        SecretSpec s;
        if (!secret(root["secrets"][i], "secrets[" + std::to_string(i) + "]", s)) return false;
        if (!names.insert(s.name).second) return bad("policy.duplicate_secret", "secret '" + s.name + "' declared twice");
        p.secrets.push_back(std::move(s));
      }
    }
    return true;
  }
};

}  // namespace

const char* secretKindName(SecretKind kind) {
  switch (kind) {
    case SecretKind::kAes256: return "aes-256";
    case SecretKind::kRandom: return "random";
    case SecretKind::kX509: return "x509";
    case SecretKind::kImported: return "imported";
    case SecretKind::kSupplied: return "supplied";
  }
  return "?";
}

bool knownTcbStatus(std::string_view status) {
  static const std::set<std::string_view> known = {"UpToDate",    "SWHardeningNeeded", "ConfigurationNeeded",
                                                   "ConfigurationAndSWHardeningNeeded", "OutOfDate",
                                                   "OutOfDateConfigurationNeeded",      "TcbNotSupported",
                                                   "Unknown"};
  return known.contains(status);
}

const SecretSpec* Policy::findSecret(std::string_view name) const {
  for (const auto& s : secrets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<Policy> parsePolicy(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return fail("policy.yaml_syntax", e.what());
  }
  Policy policy;
  Parser parser;
  try {
    if (!parser.top(root, policy)) return std::unexpected(parser.err);
  } catch (const YAML::Exception& e) {
    return fail("policy.bad_type", e.what());
  }
  if (auto st = checkReferences(policy); !st) return std::unexpected(st.error());
  return policy;
}

}  // namespace clemmys::policy
