// clemmys-gateway: the trusted, client-facing HTTPS gateway (doc/gateway.md).
//
//   clemmys-gateway --kms https://H:P --kms-cert FILE|PEM --session NAME
//                   --controller http://H:P [--host H] [--port N] [--attester sim|sgx|tdx|snp]
//                   [--collateral-dir DIR] [--tls-name NAME]...
// --collateral-dir: the host's collateral cache, sent with hardware evidence
// (doc/formats/collateral-cache.md).
// Environment: CLEMMYS_CONTROLLER_AUTH (uuid:key for the controller, required),
// CLEMMYS_SIMTEE_SOCKET (sim attester; the simtee sets it for processes it launches).
// Prints "clemmys-gateway ready port=N" once serving; exits non-zero with a named
// error when attestation or start-up fails.
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "gateway/gateway.h"
#include "gateway/startup.h"
#include "http/server.h"

namespace {

int usage() {
  std::cerr << "usage: clemmys-gateway --kms https://H:P --kms-cert FILE --session NAME --controller http://H:P\n"
               "                       [--host H] [--port N] [--attester sim|sgx|tdx|snp] [--collateral-dir DIR]\n"
               "                       [--tls-name NAME]...\n"
               "env: CLEMMYS_CONTROLLER_AUTH=uuid:key (required)\n";
  return 2;
}

int die(const clemmys::Error& e) {
  std::cerr << "clemmys-gateway: " << e.str() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clemmys;
  gateway::StartupOptions start;
  std::string controllerUrl, host = "127.0.0.1";
  uint16_t port = 0;
  tee::AttesterConfig attesterConfig;
  std::vector<std::string> tlsNames;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    std::string v = argv[++i];
    if (a == "--kms") start.kmsUrl = v;
    else if (a == "--kms-cert") start.kmsCert = v;
    else if (a == "--session") start.session = v;
    else if (a == "--controller") controllerUrl = v;
    else if (a == "--host") host = v;
    else if (a == "--port") port = static_cast<uint16_t>(std::atoi(v.c_str()));
    else if (a == "--attester") attesterConfig.backend = v;
    else if (a == "--collateral-dir") attesterConfig.collateralDir = v;
    else if (a == "--tls-name") tlsNames.push_back(v);
    else return usage();
  }
  if (start.kmsUrl.empty() || start.kmsCert.empty() || start.session.empty() || controllerUrl.empty()) return usage();
  if (!tlsNames.empty()) start.tlsNames = tlsNames;
  const char* auth = std::getenv("CLEMMYS_CONTROLLER_AUTH");
  if (auth == nullptr || std::string(auth).find(':') == std::string::npos)
    return die(Error{"gateway.no_controller_auth", "set CLEMMYS_CONTROLLER_AUTH=uuid:key"});
  auto controller = gateway::parseControllerUrl(controllerUrl);
  if (!controller) return die(controller.error());
  if (const char* sock = std::getenv("CLEMMYS_SIMTEE_SOCKET")) attesterConfig.simteeSocket = sock;

  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  auto attester = tee::makeAttester(attesterConfig);
  if (!attester) return die(attester.error());
  envelope::KeyRing keys;
  auto started = gateway::attestAndLoad(start, **attester, keys);
  if (!started) return die(started.error());

  SystemClock clock;
  SystemRandom random;
  gateway::ControllerLink link(*controller, auth);
  gateway::GatewayOptions options;
  options.clientCredentials = started->identity.clientCredentials;
  options.keyVersion = started->identity.keyVersion;
  options.messageLifetimeMs = started->identity.messageLifetimeMs;
  gateway::Gateway gw(options, keys, link, clock, random);

  http::ServerOptions server;
  server.host = host;
  server.port = port;
  server.maxBodyBytes = gateway::kMaxPlaintextBody;
  server.tooLarge = [&gw](uint64_t length, size_t limit) { return gw.tooLarge(length, limit); };
  server.tls = http::ServerTls{started->identity.tlsCertificatePem,
                               std::string(reinterpret_cast<const char*>(started->tlsKeyPem.data()),
                                           started->tlsKeyPem.size())};
  auto srv = http::Server::start(std::move(server), [&gw](http::Request& r) { return gw.handle(r); });
  if (!srv) return die(srv.error());
  std::cout << "clemmys-gateway ready port=" << (*srv)->port() << std::endl;
  int sig = 0;
  sigwait(&stopSignals, &sig);
  (*srv)->stop();
  return 0;
}
