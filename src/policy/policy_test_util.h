// Test helpers: a valid policy YAML for a given owner key.
#pragma once

#include <string>

#include "crypto/ec_key.h"

namespace clemmys::policy::testing {

inline std::string indent(const std::string& pem, const std::string& pad) {
  std::string out;
  size_t pos = 0;
  while (pos < pem.size()) {
    size_t nl = pem.find('\n', pos);
    if (nl == std::string::npos) nl = pem.size();
    out += pad + pem.substr(pos, nl - pos) + "\n";
    pos = nl + 1;
  }
  return out;
}

inline std::string samplePolicy(const crypto::EcPrivateKey& owner, int version = 1, const std::string& predecessor = "",
                                const std::string& extra = "") {
  std::string y = "name: demo\nversion: " + std::to_string(version) + "\n";
  if (!predecessor.empty()) y += "predecessor: " + predecessor + "\n";
  y += "owners:\n  - |\n" + indent(crypto::publicKeyPem(owner.publicKey()), "    ");
  y +=
      "services:\n"
      "  runtime:\n"
      "    measurements: [" + std::string(64, 'a') + "]\n"
      "    evidence: [sim]\n"
      "functions:\n"
      "  guest/hello:\n"
      "    env: {DB: \"$$secret:db$$\", PLAIN: x}\n"
      "    argv: [\"--token=$$secret:tok$$\"]\n"
      "    files: {/etc/conf: \"key=$$secret:tls.key$$\"}\n"
      "secrets:\n"
      "  - {name: db, kind: random, size: 8}\n"
      "  - {name: tok, kind: supplied, value: hunter2}\n"
      "  - {name: tls, kind: x509}\n" + extra;
  return y;
}

}  // namespace clemmys::policy::testing
