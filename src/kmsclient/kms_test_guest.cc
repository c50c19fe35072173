// Test guest for the KMS process tests: launched through clemmys-simtee (so
// the simtee signs its quotes), it attests to the KMS and prints one JSON
// line per attempt: {"ok":true,"config":{...}} or {"ok":false,"error":"..."}.
// Its argv is fixed (it is measured); everything variable comes as NAME=value
// lines on stdin (unmeasured input; the simtee lets no such variable into the
// environment of a launched process, doc/simtee.md):
//   KMS_HOST, KMS_PORT, KMS_CERT (pinned PEM, "\n" escaped as "\\n"), SESSION,
//   SERVICE, FUNCTION, MODE = attest | replay | bad-binding | gateway | concurrent, COUNT.
#include <boost/json.hpp>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <mutex>
#include <thread>

#include "crypto/digest.h"
#include "kms/protocol.h"
#include "kmsclient/attest_client.h"
#include "tee/simtee_client.h"

namespace {

using namespace clemmys;
namespace json = boost::json;

// The NAME=value lines on stdin, read once.
std::string env(const char* name) {
  static const std::map<std::string, std::string> settings = [] {
    std::map<std::string, std::string> m;
    std::string l;
    while (std::getline(std::cin, l)) {
      size_t eq = l.find('=');
      if (eq == std::string::npos) continue;
      std::string value = l.substr(eq + 1);
      for (size_t at = 0; (at = value.find("\\n", at)) != std::string::npos;) value.replace(at, 2, "\n");
      m[l.substr(0, eq)] = value;
    }
    return m;
  }();
  auto it = settings.find(name);
  return it != settings.end() ? it->second : "";
}

// Set by the simtee itself, the one variable a launched process gets from it.
std::string daemonSocket() {
  const char* v = std::getenv("CLEMMYS_SIMTEE_SOCKET");
  return v != nullptr ? v : "";
}

std::string line(const Result<json::object>& r) {
  if (r) return json::serialize(json::object{{"ok", true}, {"config", *r}});
  return json::serialize(json::object{{"ok", false}, {"error", r.error().name}, {"message", r.error().message}});
}

// Evidence over a report data that does NOT bind the ephemeral key (a
// different key is hashed in), to show the KMS refuses it.
Result<json::object> badBinding(http::Client& client, tee::Attester& attester, const kmsclient::AttestRequest& req) {
  auto eph = *crypto::EcPrivateKey::generateP256();
  auto other = *crypto::EcPrivateKey::generateP256();
  auto nonce = kmsclient::requestChallenge(client);
  if (!nonce) return std::unexpected(nonce.error());
  auto evidence = attester.evidence(kms::attestReportData(crypto::asBytes(*nonce), other.publicPoint()));
  if (!evidence) return std::unexpected(evidence.error());
  return kmsclient::submitEvidence(client, req, *nonce, *evidence, attester.type(), eph);
}

// The same nonce and evidence twice: the second must be refused.
std::string replay(http::Client& client, tee::Attester& attester, const kmsclient::AttestRequest& req) {
  auto eph = *crypto::EcPrivateKey::generateP256();
  auto nonce = kmsclient::requestChallenge(client);
  if (!nonce) return line(std::unexpected(nonce.error()));
  auto evidence = attester.evidence(kms::attestReportData(crypto::asBytes(*nonce), eph.publicPoint()));
  if (!evidence) return line(std::unexpected(evidence.error()));
  auto first = kmsclient::submitEvidence(client, req, *nonce, *evidence, attester.type(), eph);
  auto second = kmsclient::submitEvidence(client, req, *nonce, *evidence, attester.type(), eph);
  return line(first) + "\n" + line(second);
}

}  // namespace

int main() {
  kmsclient::KmsEndpoint endpoint{env("KMS_HOST"), static_cast<uint16_t>(std::atoi(env("KMS_PORT").c_str())),
                                  env("KMS_CERT")};
  tee::SimAttester attester(daemonSocket());
  kmsclient::AttestRequest req;
  req.session = env("SESSION");
  req.service = env("SERVICE");
  if (!env("FUNCTION").empty()) req.function = env("FUNCTION");
  std::string mode = env("MODE");
  auto client = kmsclient::pinnedClient(endpoint);
  if (!client) {
    std::cout << line(std::unexpected(client.error())) << std::endl;
    return 1;
  }
  if (mode == "bad-binding") {
    std::cout << line(badBinding(*client, attester, req)) << std::endl;
  } else if (mode == "replay") {
    std::cout << replay(*client, attester, req) << std::endl;
  } else if (mode == "gateway") {
    auto tlsKey = *crypto::EcPrivateKey::generateP256();
    req.tlsPublicKey = tlsKey.publicKey().spkiDer();
    req.tlsNames = {"localhost", "127.0.0.1"};
    std::cout << line(kmsclient::fetchConfiguration(*client, attester, req)) << std::endl;
  } else if (mode == "concurrent") {
    int count = std::atoi(env("COUNT").c_str());
    std::atomic<int> ok{0};
    std::mutex mu;
    std::string firstError;
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
      threads.emplace_back([&] {
        auto c = kmsclient::pinnedClient(endpoint);
        tee::SimAttester own(daemonSocket());
        auto r = c ? kmsclient::fetchConfiguration(*c, own, req) : Result<json::object>(std::unexpected(c.error()));
        if (r) {
          ++ok;
        } else {
          std::lock_guard lock(mu);
          if (firstError.empty()) firstError = r.error().str();
        }
      });
    }
    for (auto& t : threads) t.join();
    std::cout << json::serialize(json::object{{"ok", ok.load() == count}, {"released", ok.load()}, {"error", firstError}})
              << std::endl;
  } else {
    std::cout << line(kmsclient::fetchConfiguration(*client, attester, req)) << std::endl;
  }
  return 0;
}
