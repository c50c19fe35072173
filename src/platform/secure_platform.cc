#include "platform/secure_platform.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "kmsclient/endpoint.h"
#include "kmsclient/kms_verify.h"
#include "kmsclient/owner_client.h"
#include "platform/dev_policy.h"

namespace clemmys::platform {
namespace fs = std::filesystem;
namespace {

// <data>/ports: "kms controller gateway" from the last start. Reusing them keeps the
// trusted command lines (which name the KMS and controller URLs and the gateway
// port) and so their measurements stable across restarts.
struct Ports {
  uint16_t kms = 0, controller = 0, gateway = 0;
};

Ports loadPorts(const std::string& path) {
  Ports p;
  auto text = readTextFile(path);
  if (!text) return p;
  std::istringstream in(*text);
  unsigned a = 0, b = 0, c = 0;
  if (in >> a >> b >> c && a < 65536 && b < 65536 && c < 65536) {
    p = {static_cast<uint16_t>(a), static_cast<uint16_t>(b), static_cast<uint16_t>(c)};
  }
  return p;
}

}  // namespace

Result<std::unique_ptr<SecurePlatform>> SecurePlatform::start(const SecureOptions& options,
                                                              std::ostream& progress) {
  std::unique_ptr<SecurePlatform> p(new SecurePlatform(options));
  std::error_code ec;
  fs::create_directories(options.dataDir, ec);
  if (ec) return fail("platform.io", "cannot create " + options.dataDir + ": " + ec.message());
  if (auto s = p->startSimtee(progress); !s) return std::unexpected(s.error());
  if (auto s = p->startKms(progress); !s) return std::unexpected(s.error());
  if (auto s = p->choosePorts(); !s) return std::unexpected(s.error());
  if (auto s = p->measureServices(); !s) return std::unexpected(s.error());
  // Remembered now, so a provider restarted while it waits for its owner keeps the
  // command lines (and measurements) it told the owner about.
  (void)writePrivateFile(options.dataDir + "/ports", std::to_string(p->kmsPort_) + " " +
                                                        std::to_string(p->controllerPort_) + " " +
                                                        std::to_string(p->gatewayPort_) + "\n");
  if (options.provider) {
    if (auto s = p->writeProviderFiles(progress); !s) return std::unexpected(s.error());
    if (auto s = p->waitForOwnerPolicy(progress); !s) return std::unexpected(s.error());
  } else if (auto s = p->applyDevPolicy(progress); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = p->fetchSessionCa(); !s) return std::unexpected(s.error());
  if (auto s = p->startUntrusted(progress); !s) return std::unexpected(s.error());
  if (auto s = p->startGateway(progress); !s) return std::unexpected(s.error());
  if (auto s = p->writeServiceConfigs(); !s) return std::unexpected(s.error());
  return p;
}

SecurePlatform::~SecurePlatform() { stop(); }

void SecurePlatform::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (gateway_) gateway_->stop();
  if (untrusted_) untrusted_->stop();  // controller + invoker: runtimes killed through the simtee
  if (kms_) kms_->stop();
  // The simtee does not take its launches down with it: everything it launched is
  // stopped above, so now it can go.
  if (simtee_.pid() > 0) simtee_.terminate();
}

Status SecurePlatform::startSimtee(std::ostream& progress) {
  std::string dir = options_.dataDir + "/simtee";
  std::error_code ec;
  fs::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);
  std::string socket = simteeSocket();
  fs::remove(socket, ec);  // a stale socket from an earlier run
  SpawnOptions o;
  o.argv = {options_.binDir + "/clemmys-simtee", "--socket", socket, "--state-dir", dir};
  o.newProcessGroup = true;
  o.dieWithParent = true;
  auto child = spawn(o);
  if (!child) return std::unexpected(child.error());
  simtee_ = std::move(*child);
  tee::SimteeClient client(socket);
  for (int i = 0; i < 500; ++i) {
    if (fs::exists(socket)) {
      auto root = client.rootCertificatePem();
      if (root) {
        simRoot_ = *root;
        progress << "simtee: running (state " << dir << ")" << std::endl;
        return {};
      }
    }
    if (!simtee_.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fail("platform.simtee_failed", "clemmys-simtee did not come up on " + socket);
}

Status SecurePlatform::startKms(std::ostream& progress) {
  Ports last = loadPorts(options_.dataDir + "/ports");
  auto sock = listenLoopback(last.kms);
  if (!sock) return std::unexpected(sock.error());
  auto [fd, port] = *sock;
  std::vector<std::string> argv = {options_.binDir + "/clemmys-kms", "--state-dir",
                                   options_.dataDir + "/kms", "--listen-fd", "3",
                                   "--host", "127.0.0.1"};
  // Its measured root: its libraries and its state directory, nothing else.
  std::string stateDir = options_.dataDir + "/kms";
  std::error_code ec;
  fs::create_directories(stateDir, ec);
  ::chmod(stateDir.c_str(), 0700);
  std::string simtee = options_.binDir + "/clemmys-simtee";
  if (auto s = writeServiceRootfs(simtee, argv[0], {}, {stateDir}, kmsRootfs()); !s) {
    ::close(fd);
    return s;
  }
  auto expected = measureLaunch(simtee, argv, kmsRootfs());
  if (!expected) {
    ::close(fd);
    return std::unexpected(expected.error());
  }
  kmsArgv_ = argv;
  kmsMeasurement_ = *expected;
  kmsPort_ = port;
  auto cert = launchKms(fd);
  if (!cert) return std::unexpected(cert.error());
  kmsCertPath_ = options_.dataDir + "/kms-cert.pem";
  if (auto s = writePrivateFile(kmsCertPath_, *cert); !s) return s;
  ::chmod(kmsCertPath_.c_str(), 0644);
  kmsUrl_ = "https://127.0.0.1:" + std::to_string(port);
  progress << "kms: verified at " << kmsUrl_ << " measurement " << expected->substr(0, 16)
           << "... (sim evidence, insecure)" << std::endl;
  // The runtimes' measured root: what they and their functions can load, and no more.
  auto rootfs = writeRuntimeRootfs(options_.binDir + "/clemmys-simtee", options_.binDir + "/clemmys-runtime",
                                   launcherDir(), kmsCertPath_, options_.runtimePath, options_.dataDir);
  if (!rootfs) return std::unexpected(rootfs.error());
  rootfs_ = std::move(*rootfs);
  progress << "runtime root: " << rootfs_.manifestPath << " (python " << (rootfs_.python.empty() ? "-" : rootfs_.python)
           << ", node " << (rootfs_.node.empty() ? "-" : rootfs_.node) << ")" << std::endl;
  return {};
}

Result<std::string> SecurePlatform::launchKms(int listenFd) {
  auto kms = TrustedProcess::launch(simteeSocket(), kmsArgv_, {}, listenFd, "clemmys-kms", kmsRootfs());
  ::close(listenFd);
  if (!kms) return std::unexpected(kms.error());
  kms_ = std::move(*kms);
  auto ready = kms_->waitForLine("clemmys-kms listening", std::chrono::seconds(30));
  if (!ready) return std::unexpected(ready.error());
  // Trust the KMS only after its evidence matches the measurement we computed
  // ourselves (what `clemmys kms verify --expect-measurement` does).
  kmsclient::KmsEndpoint endpoint{"127.0.0.1", kmsPort_, ""};
  auto verified = kmsclient::verifyKms(endpoint, kmsMeasurement_, simRoot_, clock_);
  if (!verified) return std::unexpected(verified.error());
  return verified->certificatePem;
}

std::string SecurePlatform::launcherDir() const {
  return fs::weakly_canonical(options_.binDir + "/../share/clemmys/launchers").string();
}

std::vector<std::string> SecurePlatform::runtimeArgs() const {
  // In the simtee the runtime runs from a sealed memfd, so it cannot find its
  // launchers relative to its own path: name them (the path is measured; the
  // scripts' bytes are not, see doc/secure-mode.md).
  std::vector<std::string> args = {"--launcher-dir", launcherDir(), "--secure", "--kms", kmsUrl_,
                                   "--kms-cert", kmsCertPath_, "--session", options_.session};
  for (auto& a : rootfs_.args()) args.push_back(a);
  return args;
}

std::vector<std::string> SecurePlatform::gatewayArgv() const {
  return {options_.binDir + "/clemmys-gateway", "--kms", kmsUrl_, "--kms-cert", kmsCertPath_,
          "--session", options_.session, "--controller",
          "http://127.0.0.1:" + std::to_string(controllerPort_), "--host", "127.0.0.1",
          "--port", std::to_string(gatewayPort_)};
}

Status SecurePlatform::startUntrusted(std::ostream& progress) {
  UntrustedConfig config;
  invoker::PoolOptions& po = config.pool;
  po.runtimeBinary = options_.binDir + "/clemmys-runtime";
  po.runtimeArgs = runtimeArgs();
  po.simteeSocket = simteeSocket();
  po.memoryBudgetMb = options_.memoryBudgetMb;
  po.maxResultBytes = 3 << 19;  // sealed results: ~4/3 of the 1 MiB plaintext
  // Prewarmed runtimes attest at launch, so the pool starts after the policy is applied.
  po.prewarm = options_.prewarm;
  po.runtimeRootfs = rootfs_.manifestPath;
  controller::ControllerOptions& co = config.controller;
  co.dataDir = options_.dataDir;
  co.host = "127.0.0.1";
  co.port = controllerPort_;  // chosen in applyPolicy: the gateway's argv names it
  co.maxConcurrentPerNamespace = options_.maxInFlight;
  co.activationTtl = options_.activationTtl;
  co.maxBodyBytes = 3 << 19;  // 1.5 MiB: sealed bodies are ~4/3 of the gateway's 1 MiB
  if (options_.untrustedUid && ::geteuid() == 0) {
    // Others may pass through the data directory (to <data>/controller and the
    // simtee's socket), not list it; every secret in it stays root's (0600/0700).
    struct stat st{};
    if (::stat(options_.dataDir.c_str(), &st) == 0 && (st.st_mode & S_IXOTH) == 0) {
      ::chmod(options_.dataDir.c_str(), (st.st_mode & 07777) | S_IXOTH | S_IXGRP);
    }
  }
  untrustedConfig_ = config;
  auto side = UntrustedSide::start(options_.binDir + "/clemmys", config, options_.untrustedUid);
  if (!side) return std::unexpected(side.error());
  untrusted_ = std::move(*side);
  progress << "controller: http://127.0.0.1:" << controllerPort_ << " (untrusted: pid " << untrusted_->pid()
           << ", uid " << (options_.untrustedUid ? *options_.untrustedUid : ::geteuid())
           << "; its invoker launches runtimes through the simtee)" << std::endl;
  return {};
}

Status SecurePlatform::choosePorts() {
  Ports last = loadPorts(options_.dataDir + "/ports");
  uint16_t wantGateway = options_.port ? options_.port : last.gateway;
  auto probe = listenLoopback(wantGateway);
  if (!probe) return std::unexpected(probe.error());
  gatewayPort_ = probe->second;
  auto probeController = listenLoopback(last.controller);
  ::close(probe->first);
  if (!probeController) return std::unexpected(probeController.error());
  controllerPort_ = probeController->second;
  ::close(probeController->first);
  if (options_.port && gatewayPort_ != options_.port) {
    return fail("platform.port_in_use", "port " + std::to_string(options_.port) + " is in use");
  }
  return {};
}

Status SecurePlatform::measureServices() {
  std::string simtee = options_.binDir + "/clemmys-simtee";
  std::vector<std::string> rt = {options_.binDir + "/clemmys-runtime", "--listen-fd", "3"};
  for (auto& a : runtimeArgs()) rt.push_back(a);
  auto rtm = measureLaunch(simtee, rt, rootfs_.manifestPath);
  if (!rtm) return std::unexpected(rtm.error());
  // What the invoker launches, for operators and tests that launch the same runtime.
  boost::json::array argvJson(rt.begin(), rt.end());
  std::string launchJson = boost::json::serialize(boost::json::object{
      {"argv", argvJson}, {"rootfs", rootfs_.manifestPath}, {"measurement", *rtm}});
  if (auto s = writePrivateFile(options_.dataDir + "/runtime-launch.json", launchJson + "\n"); !s) return s;
  std::vector<std::string> gw = gatewayArgv();
  if (auto s = writeServiceRootfs(simtee, gw[0], {kmsCertPath_}, {}, gatewayRootfs()); !s) return s;
  auto gwm = measureLaunch(simtee, gw, gatewayRootfs());
  if (!gwm) return std::unexpected(gwm.error());
  runtimeArgv_ = std::move(rt);
  runtimeMeasurement_ = *rtm;
  gatewayMeasurement_ = *gwm;
  return {};
}

Result<http::Client> SecurePlatform::kmsClient() const {
  auto endpoint = kmsclient::parseKmsUrl(kmsUrl_);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto cert = readTextFile(kmsCertPath_);
  if (!cert) return std::unexpected(cert.error());
  endpoint->certificatePem = *cert;
  return kmsclient::pinnedClient(*endpoint);
}

Status SecurePlatform::applyDevPolicy(std::ostream& progress) {
  std::string ownerDir = options_.dataDir + "/owner";
  auto owner = loadOrCreateOwnerKey(ownerDir);
  if (!owner) return std::unexpected(owner.error());
  auto auth = loadOrCreateClientAuth(ownerDir, random_);
  if (!auth) return std::unexpected(auth.error());
  clientAuth_ = *auth;

  PolicyInputs in;
  in.session = options_.session;
  in.ownerPublicPem = crypto::publicKeyPem(owner->publicKey());
  in.gatewayMeasurements = {gatewayMeasurement_};
  in.runtimeMeasurements = {runtimeMeasurement_};
  in.clientAuth = clientAuth_;
  in.extraFunctionsYaml = options_.extraFunctionsYaml;
  in.extraSecretsYaml = options_.extraSecretsYaml;
  auto client = kmsClient();
  if (!client) return std::unexpected(client.error());
  auto applied = ensurePolicy(*client, ownerDir, *owner, options_.session, policyBody(in));
  if (!applied) return std::unexpected(applied.error());
  policyHash_ = applied->hash;
  policyChanged_ = applied->changed;
  progress << "policy: session " << options_.session << " v" << applied->version << " "
           << (applied->changed ? "applied" : "unchanged") << " (" << applied->hash.substr(0, 16)
           << "...), runtime " << runtimeMeasurement_.substr(0, 16) << "..., gateway "
           << gatewayMeasurement_.substr(0, 16) << "..." << std::endl;
  return {};
}

Status SecurePlatform::fetchSessionCa() {
  auto client = kmsClient();
  if (!client) return std::unexpected(client.error());
  auto session = kmsclient::showSession(*client, options_.session);
  if (!session) return std::unexpected(session.error());
  auto ca = session->if_contains("session_ca_pem");
  if (!ca || !ca->is_string()) return fail("platform.no_session_ca", "the KMS did not return a session CA");
  if (auto s = writePrivateFile(caCertPath(), std::string(ca->as_string())); !s) return s;
  ::chmod(caCertPath().c_str(), 0644);
  return {};
}

Status SecurePlatform::startGateway(std::ostream& progress) {
  std::vector<std::string> env = {"CLEMMYS_CONTROLLER_AUTH=" + untrusted_->auth()};
  auto gw = TrustedProcess::launch(simteeSocket(), gatewayArgv(), env, -1, "clemmys-gateway", gatewayRootfs());
  if (!gw) return std::unexpected(gw.error());
  gateway_ = std::move(*gw);
  if (gateway_->measurement() != gatewayMeasurement_) {
    return fail("platform.measurement_mismatch", "gateway launched with measurement " +
                                                     gateway_->measurement() + ", policy has " +
                                                     gatewayMeasurement_);
  }
  auto ready = gateway_->waitForLine("clemmys-gateway ready", std::chrono::seconds(30));
  if (!ready) return std::unexpected(ready.error());
  progress << "gateway: attested, serving " << apiHost() << std::endl;
  if (options_.provider) return {};  // the provider has no client credential: the owner writes wskprops
  std::string props = "APIHOST=" + apiHost() + "\nAUTH=" + clientAuth_ + "\nCACERT=" + caCertPath() + "\n";
  if (auto s = writePrivateFile(wskpropsPath(), props); !s) return s;
  return {};
}

}  // namespace clemmys::platform
