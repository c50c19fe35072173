// clemmys-kms: the key-release service. Runs inside a TEE (the simtee launches
// it in sim mode); serves HTTPS with a certificate bound into its own evidence.
//
//   clemmys-kms --state-dir DIR (--port N | --listen-fd FD) [--host H]
//               --simtee-socket PATH [--sim-root FILE] [--no-sim]
//               [--attester sim|sgx|tdx|snp]
// --attester picks the TEE backend that produces the KMS's own evidence
// (tee::makeAttester, as for the runtime and the gateway; default sim). No
// --collateral-dir: GET /v1/kms/evidence carries evidence only, so the owner's
// `clemmys kms verify --collateral-dir` supplies the collateral (doc/kms.md).
// Sealing keys and counters still come from the simtee on every backend: a
// hardware sealing backend does not exist yet (doc/kms.md).
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/clock.h"
#include "common/random.h"
#include "kms/service.h"
#include "tee/attester.h"
#include "tee/simtee_client.h"

namespace {

int usage() {
  std::cerr << "usage: clemmys-kms --state-dir DIR (--port N | --listen-fd FD) [--host H] --simtee-socket PATH\n"
               "                   [--sim-root FILE] [--no-sim] [--attester sim|sgx|tdx|snp]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clemmys;
  kms::ServiceOptions options;
  std::string simteeSocket, simRootFile;
  tee::AttesterConfig attesterConfig;
  bool acceptSim = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--state-dir") options.stateDir = value();
    else if (a == "--port") options.port = static_cast<uint16_t>(std::atoi(value().c_str()));
    else if (a == "--listen-fd") options.listenFd = std::atoi(value().c_str());
    else if (a == "--host") options.host = value();
    else if (a == "--simtee-socket") simteeSocket = value();
    else if (a == "--sim-root") simRootFile = value();
    else if (a == "--no-sim") acceptSim = false;
    else if (a == "--attester") attesterConfig.backend = value();
    else return usage();
  }
  if (simteeSocket.empty()) {
    if (const char* env = std::getenv("CLEMMYS_SIMTEE_SOCKET")) simteeSocket = env;
  }
  if (options.stateDir.empty() || simteeSocket.empty()) return usage();

  tee::SimteeClient platform(simteeSocket);
  attesterConfig.simteeSocket = simteeSocket;
  auto attester = tee::makeAttester(attesterConfig);
  if (!attester) {
    std::cerr << "clemmys-kms: " << attester.error().str() << "\n";
    return 1;
  }
  if (acceptSim) {
    if (!simRootFile.empty()) {
      std::ifstream in(simRootFile);
      std::stringstream ss;
      ss << in.rdbuf();
      options.simRootPem = ss.str();
    } else {
      auto root = platform.rootCertificatePem();
      if (!root) {
        std::cerr << "clemmys-kms: " << root.error().str() << "\n";
        return 1;
      }
      options.simRootPem = *root;
    }
  }
  // Block the stop signals before any thread starts, then wait for one.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  SystemClock clock;
  SystemRandom random;
  auto service = kms::KmsService::start(options, kms::ServiceDeps{platform, **attester, clock, random});
  if (!service) {
    std::cerr << "clemmys-kms: " << service.error().str() << "\n";
    return 1;
  }
  std::cout << "clemmys-kms listening on https://" << options.host << ":" << (*service)->port() << std::endl;
  int sig = 0;
  sigwait(&stopSignals, &sig);
  (*service)->stop();
  return 0;
}
