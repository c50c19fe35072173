#include "platform/dev_policy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "crypto/digest.h"
#include "kmsclient/owner_client.h"

namespace clemmys::platform {
namespace {

std::string indentLines(const std::string& text, const std::string& pad) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += pad + line + "\n";
  return out;
}

std::string list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s + "]";
}

std::string digestHex(const std::string& text) { return toHex(crypto::sha256(crypto::asBytes(text))); }

}  // namespace

Result<std::string> readTextFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return fail("platform.io", "cannot read " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

Status writePrivateFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail("platform.io", "cannot write " + tmp);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) return fail("platform.io", "cannot write " + path);
  return {};
}

std::string policyBody(const PolicyInputs& in) {
  std::string y = "owners:\n  - |\n" + indentLines(in.ownerPublicPem, "    ");
  y += "services:\n";
  y += "  gateway: {measurements: " + list(in.gatewayMeasurements) + ", evidence: " + list(in.evidence) + "}\n";
  y += "  runtime: {measurements: " + list(in.runtimeMeasurements) + ", evidence: " + list(in.evidence) + "}\n";
  auto colon = in.clientAuth.find(':');
  std::string uuid = in.clientAuth.substr(0, colon);
  std::string key = colon == std::string::npos ? "" : in.clientAuth.substr(colon + 1);
  y += "functions:\n";
  y += "  \"@gateway\":\n    env: {CLIENT_AUTH: \"" + uuid + ":$$secret:client-auth$$\"}\n";
  y += in.extraFunctionsYaml;
  y += "secrets:\n";
  y += "  - {name: client-auth, kind: supplied, value: \"" + key + "\"}\n";
  y += in.extraSecretsYaml;
  return y;
}

Result<crypto::EcPrivateKey> loadOrCreateOwnerKey(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);
  std::string priv = dir + "/owner.pem";
  if (std::filesystem::exists(priv)) {
    auto pem = readTextFile(priv);
    if (!pem) return std::unexpected(pem.error());
    auto key = crypto::EcPrivateKey::fromPem(*pem);
    if (!key) return fail("platform.owner_key", "cannot load " + priv + ": " + key.error().str());
    return key;
  }
  auto key = crypto::EcPrivateKey::generateP256();
  if (!key) return std::unexpected(key.error());
  auto pem = key->toPem();
  std::string text(reinterpret_cast<const char*>(pem.data()), pem.size());
  if (auto s = writePrivateFile(priv, text); !s) return std::unexpected(s.error());
  if (auto s = writePrivateFile(dir + "/owner.pub.pem", crypto::publicKeyPem(key->publicKey())); !s) {
    return std::unexpected(s.error());
  }
  return key;
}

Result<std::string> loadOrCreateClientAuth(const std::string& dir, Random& random) {
  std::string path = dir + "/client-auth";
  if (std::filesystem::exists(path)) {
    auto text = readTextFile(path);
    if (!text) return std::unexpected(text.error());
    std::string s = *text;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    if (s.find(':') != std::string::npos) return s;
  }
  std::string auth = random.uuid() + ":" + random.alnum(64);
  if (auto s = writePrivateFile(path, auth + "\n"); !s) return std::unexpected(s.error());
  return auth;
}

Result<AppliedPolicy> ensurePolicy(http::Client& kms, const std::string& dir,
                                   const crypto::EcPrivateKey& owner, const std::string& session,
                                   const std::string& body) {
  std::string marker = dir + "/" + session + ".applied";
  std::string want = digestHex(body);
  AppliedPolicy out;
  std::string predecessor;
  auto current = kmsclient::showSession(kms, session);
  if (current) {
    out.hash = std::string(current->at("hash").as_string());
    out.version = current->at("version").to_number<int64_t>();
    auto applied = readTextFile(marker);
    if (applied && *applied == out.hash + " " + want + "\n") return out;  // nothing changed
    predecessor = out.hash;
  } else if (current.error().name != "kms.unknown_session" && current.error().name != "kms.not_found") {
    return std::unexpected(current.error());
  }
  int64_t version = predecessor.empty() ? 1 : out.version + 1;
  std::string doc = "name: " + session + "\nversion: " + std::to_string(version) + "\n";
  if (!predecessor.empty()) doc += "predecessor: " + predecessor + "\n";
  doc += body;
  auto r = kmsclient::applyPolicy(kms, doc, owner);
  if (!r) return std::unexpected(r.error());
  out.hash = std::string(r->at("hash").as_string());
  out.version = version;
  out.changed = true;
  if (auto s = writePrivateFile(dir + "/" + session + ".yaml", doc); !s) return std::unexpected(s.error());
  if (auto s = writePrivateFile(marker, out.hash + " " + want + "\n"); !s) return std::unexpected(s.error());
  return out;
}

}  // namespace clemmys::platform
