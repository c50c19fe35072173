#include "kmsclient/commands.h"

#include <sys/stat.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "kmsclient/kms_verify.h"
#include "kmsclient/owner_client.h"

namespace clemmys::kmsclient {
namespace {

namespace json = boost::json;

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::string get(const std::string& name, const char* envName = nullptr) const {
    auto it = options.find(name);
    if (it != options.end()) return it->second;
    if (envName != nullptr) {
      if (const char* v = std::getenv(envName)) return v;
    }
    return "";
  }
};

// Every option takes a value; "--x=v" and "--x v" both work.
std::optional<Args> parseArgs(int argc, char** argv, int from) {
  Args a;
  for (int i = from; i < argc; ++i) {
    std::string s = argv[i];
    if (s.starts_with("--")) {
      auto eq = s.find('=');
      if (eq != std::string::npos) {
        a.options[s.substr(2, eq - 2)] = s.substr(eq + 1);
      } else if (i + 1 < argc) {
        a.options[s.substr(2)] = argv[++i];
      } else {
        return std::nullopt;
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("kmsclient.io", "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int report(const Error& e, std::ostream& err) {
  err << "error: " << e.str() << "\n";
  return 1;
}

Result<KmsEndpoint> pinnedEndpoint(const Args& a) {
  std::string url = a.get("kms", "CLEMMYS_KMS");
  if (url.empty()) return fail("kmsclient.no_kms", "pass --kms URL or set CLEMMYS_KMS");
  auto e = parseKmsUrl(url);
  if (!e) return e;
  std::string certFile = a.get("kms-cert", "CLEMMYS_KMS_CERT");
  if (certFile.empty()) {
    return fail("kmsclient.not_pinned", "pass --kms-cert FILE (written by `clemmys kms verify --save-cert`)");
  }
  auto pem = readFile(certFile);
  if (!pem) return std::unexpected(pem.error());
  e->certificatePem = *pem;
  return e;
}

int keygen(const Args& a, std::ostream& out, std::ostream& err) {
  std::string dir = a.get("out");
  if (dir.empty()) dir = ".";
  std::filesystem::create_directories(dir);
  auto key = crypto::EcPrivateKey::generateP256();
  if (!key) return report(key.error(), err);
  std::string priv = dir + "/owner.pem", pub = dir + "/owner.pub.pem";
  if (std::filesystem::exists(priv)) return report(Error{"kmsclient.exists", priv + " exists; not overwriting"}, err);
  auto pem = key->toPem();
  {
    std::ofstream f(priv, std::ios::binary);
    f.write(reinterpret_cast<const char*>(pem.data()), static_cast<std::streamsize>(pem.size()));
    if (!f) return report(Error{"kmsclient.io", "cannot write " + priv}, err);
  }
  ::chmod(priv.c_str(), 0600);
  std::ofstream(pub) << crypto::publicKeyPem(key->publicKey());
  out << "private key: " << priv << "\npublic key:  " << pub << "  (list it under `owners:` in your policy)\n";
  return 0;
}

Result<crypto::EcPrivateKey> ownerKey(const Args& a) {
  std::string path = a.get("key", "CLEMMYS_OWNER_KEY");
  if (path.empty()) return fail("kmsclient.no_key", "pass --key owner.pem");
  auto pem = readFile(path);
  if (!pem) return std::unexpected(pem.error());
  return crypto::EcPrivateKey::fromPem(*pem);
}

int policyCommand(const Args& a, std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 2) {
    err << "usage: clemmys policy apply FILE --key owner.pem | show NAME | history NAME | rotate NAME --key owner.pem\n";
    return 2;
  }
  const std::string& verb = a.positional[0];
  auto endpoint = pinnedEndpoint(a);
  if (!endpoint) return report(endpoint.error(), err);
  auto client = pinnedClient(*endpoint);
  if (!client) return report(client.error(), err);
  Result<json::object> r = fail("kmsclient.usage", "unknown policy command '" + verb + "'");
  if (verb == "apply" || verb == "rotate") {
    auto key = ownerKey(a);
    if (!key) return report(key.error(), err);
    if (verb == "apply") {
      auto yaml = readFile(a.positional[1]);
      if (!yaml) return report(yaml.error(), err);
      r = applyPolicy(*client, *yaml, *key);
    } else {
      r = rotateKey(*client, a.positional[1], *key);
    }
  } else if (verb == "show") {
    r = showSession(*client, a.positional[1]);
  } else if (verb == "history") {
    r = sessionHistory(*client, a.positional[1]);
  }
  if (!r) return report(r.error(), err);
  out << json::serialize(*r) << "\n";
  return 0;
}

std::vector<std::string> splitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// 48 bytes of lowercase hex, as policies spell TDX fields.
Result<std::string> tdxHex(const std::string& flag, std::string hex) {
  std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
  if (hex.size() != 96 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return fail("kmsclient.usage", flag + " takes 96 hex digits (48 bytes)");
  }
  return hex;
}

// --expect-rtmr N=HEX[,N=HEX...], --expect-mrconfigid HEX, --expect-mrowner HEX.
Result<std::optional<policy::TdxPolicy>> tdxExpectations(const Args& a) {
  policy::TdxPolicy tdx;
  bool any = false;
  for (const std::string& item : splitCommas(a.get("expect-rtmr"))) {
    auto eq = item.find('=');
    if (eq != 1 || item[0] < '0' || item[0] > '3') return fail("kmsclient.usage", "--expect-rtmr takes N=HEX, N in 0..3");
    auto hex = tdxHex("--expect-rtmr", item.substr(2));
    if (!hex) return std::unexpected(hex.error());
    tdx.rtmr[item[0] - '0'] = *hex;
    any = true;
  }
  for (auto [flag, field] : {std::pair{"expect-mrconfigid", &tdx.mrConfigId}, std::pair{"expect-mrowner", &tdx.mrOwner}}) {
    if (std::string v = a.get(flag); !v.empty()) {
      auto hex = tdxHex(std::string("--") + flag, v);
      if (!hex) return std::unexpected(hex.error());
      *field = *hex;
      any = true;
    }
  }
  return any ? std::optional(tdx) : std::nullopt;
}

int kmsCommand(const Args& a, std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 1 || a.positional[0] != "verify") {
    err << "usage: clemmys kms verify --kms URL --expect-measurement HEX [--sim-root FILE] [--save-cert FILE]\n"
           "         [--collateral-dir DIR] [--accept-tcb STATUS[,STATUS...]] (default UpToDate)\n"
           "         [--expect-rtmr N=HEX[,N=HEX...]] [--expect-mrconfigid HEX] [--expect-mrowner HEX]\n";
    return 2;
  }
  auto endpoint = parseKmsUrl(a.get("kms", "CLEMMYS_KMS"));
  if (!endpoint) return report(endpoint.error(), err);
  KmsExpectations expect;
  expect.measurementHex = a.get("expect-measurement");
  if (expect.measurementHex.empty()) return report(Error{"kmsclient.usage", "--expect-measurement HEX is required"}, err);
  if (std::string f = a.get("sim-root"); !f.empty()) {
    auto pem = readFile(f);
    if (!pem) return report(pem.error(), err);
    expect.simRootPem = *pem;
  }
  auto tdx = tdxExpectations(a);
  if (!tdx) return report(tdx.error(), err);
  expect.tdx = *tdx;
  if (std::string tcb = a.get("accept-tcb"); !tcb.empty()) expect.tcbStatus = splitCommas(tcb);
  if (std::string dir = a.get("collateral-dir"); !dir.empty()) expect.collateral.emplace(dir);
  SystemClock clock;
  auto v = verifyKms(*endpoint, expect, clock);
  if (!v) return report(v.error(), err);
  if (std::string f = a.get("save-cert"); !f.empty()) std::ofstream(f) << v->certificatePem;
  const attest::Claims& c = v->claims;
  out << "KMS verified: measurement " << toHex(c.measurement) << " (" << attest::evidenceTypeName(c.type)
      << (c.insecure ? ", SIMULATED - no hardware protection" : "") << ")\n";
  if (c.type != attest::EvidenceType::kSim) out << "TCB status: " << c.tcbStatus.value_or("Unknown") << "\n";
  if (expect.tdx) {
    for (size_t i = 0; i < expect.tdx->rtmr.size(); ++i) {
      if (expect.tdx->rtmr[i]) out << "RTMR" << i << ": " << *expect.tdx->rtmr[i] << "\n";
    }
    if (expect.tdx->mrConfigId) out << "MRCONFIGID: " << *expect.tdx->mrConfigId << "\n";
    if (expect.tdx->mrOwner) out << "MROWNER: " << *expect.tdx->mrOwner << "\n";
  }
  out << "certificate sha256 fingerprint: " << v->fingerprintHex << "\n";
  return 0;
}

}  // namespace

int runKmsCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::string command = argc > 1 ? argv[1] : "";
  auto args = parseArgs(argc, argv, 2);
  if (!args) {
    err << "error: option without a value\n";
    return 2;
  }
  if (command == "keygen") return keygen(*args, out, err);
  if (command == "policy") return policyCommand(*args, out, err);
  if (command == "kms") return kmsCommand(*args, out, err);
  err << "usage: clemmys keygen | policy ... | kms verify ...\n";
  return 2;
}

}  // namespace clemmys::kmsclient
