// Test helpers for secure mode: the gateway's side (sealing CODE/PARAMS, step 0,
// opening outcomes) with a test KeyRing, and reading test files.
#pragma once

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/random.h"
#include "envelope/checks.h"
#include "envelope/defaults.h"

namespace clemmys::runtime::testing {

inline std::string readFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string sealObject(envelope::Type type, const std::string& target, const std::string& body,
                              const envelope::KeyRing& keys, Random& random, uint32_t version = 1,
                              const envelope::Digest& chainId = {}) {
  envelope::Header h;
  h.type = type;
  h.chainId = chainId;
  h.keyVersion = version;
  random.fill(h.id.data(), h.id.size());
  h.target = target;
  auto sealed = envelope::seal(h, crypto::asBytes(body), keys, random);
  return sealed ? envelope::toWire(*sealed) : std::string();
}

struct SealedCode {
  std::string wire;
  envelope::Digest digest;
};

// The binding a CODE carries for the PARAMS sealed with it ("" = no defaults).
inline envelope::Digest defaultsBindingOf(const std::string& paramsWire) {
  if (paramsWire.empty()) return envelope::noDefaultsBinding();
  auto bytes = envelope::fromWire(paramsWire);
  return bytes ? envelope::defaultsBinding(*bytes) : envelope::Digest{};
}

// As the gateway seals it: bound to `paramsWire` (sealed first), or to "no defaults".
inline SealedCode sealCode(const std::string& fqn, const std::string& kind, const std::string& code,
                           bool binary, const envelope::KeyRing& keys, Random& random,
                           const std::string& main = "main", const std::string& paramsWire = "") {
  boost::json::object o{{"kind", kind}, {"main", main}, {"binary", binary}, {"code", code}};
  return {sealObject(envelope::Type::code, fqn, boost::json::serialize(o), keys, random, 1,
                     defaultsBindingOf(paramsWire)),
          envelope::codeDigest(kind, main, code)};
}

// The gateway: issues step 0 of a chain and opens outcomes.
struct Gateway {
  Gateway(const envelope::KeyRing& k, const Clock& c, Random& r) : keys(k), clock(c), random(r), ledger(k, c) {}

  // Returns the INVOKE's wire form; `id` receives the activation id.
  std::string invoke(const envelope::ChainSpec& chain, const std::string& payload, envelope::Id& id,
                     uint32_t version = 1) {
    random.fill(id.data(), id.size());
    uint64_t expires = static_cast<uint64_t>(clock.nowMs()) + 60000;
    auto sealed = envelope::sealFirstInvoke(id, chain, expires, payload, version, keys, random);
    ledger.issue(id, envelope::chainId(chain), expires);
    return sealed ? envelope::toWire(*sealed) : std::string();
  }

  const envelope::KeyRing& keys;
  const Clock& clock;
  Random& random;
  envelope::GatewayLedger ledger;
};

inline std::string runBody(const std::string& invokeWire, const std::string& paramsWire = "") {
  boost::json::object value{{"clemmys", invokeWire}};
  if (!paramsWire.empty()) value["clemmys-params"] = paramsWire;
  boost::json::object body{{"value", value},
                           {"activation_id", "controller-chosen"},
                           {"action_name", "/guest/f"},
                           {"deadline", std::to_string(SystemClock().nowMs() + 60000)}};
  return boost::json::serialize(body);
}

}  // namespace clemmys::runtime::testing
