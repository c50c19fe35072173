#include "provider.h"

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "common/encoding.h"
#include "kmsclient/endpoint.h"
#include "kmsclient/owner_client.h"
#include "platform/dev_policy.h"
#include "store_edit.h"

namespace clemmys::attack {
namespace fs = std::filesystem;
namespace {

struct Ports {
  unsigned kms = 0, controller = 0, gateway = 0;
};

Result<Ports> readPorts(const std::string& dir) {
  auto text = platform::readTextFile(dir + "/ports");
  if (!text) return std::unexpected(text.error());
  Ports p;
  std::istringstream in(*text);
  if (!(in >> p.kms >> p.controller >> p.gateway)) return fail("attack.ports", "bad ports file");
  return p;
}

// The policy body without its name/version/predecessor header lines.
std::string bodyOf(const std::string& doc) {
  std::istringstream in(doc);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("name:", 0) == 0 || line.rfind("version:", 0) == 0 || line.rfind("predecessor:", 0) == 0) {
      continue;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Provider>> Provider::start(const ProviderOptions& options) {
  std::unique_ptr<Provider> p(new Provider());
  p->dir_ = clemmys::testing::makeTempDir();
  p->binDir_ = CLEMMYS_BIN_DIR;
  // First start: creates the guest subject, the owner key and the dev policy.
  // Stopped at once so the test can read the controller's credentials from its
  // (then unlocked) database, as the host could.
  p->up_ = std::make_unique<clemmys::testing::UpProcess>(p->dir_, std::vector<std::string>{}, true);
  if (!p->up_->ready()) return fail("attack.up_failed", "first clemmys up did not become ready");
  p->up_.reset();
  auto auth = guestAuth(p->databasePath());
  if (!auth) return std::unexpected(auth.error());
  p->controllerAuth_ = *auth;
  auto ports = readPorts(p->dir_);
  if (!ports) return std::unexpected(ports.error());
  p->controllerPort_ = static_cast<uint16_t>(ports->controller);
  auto proxy = InterceptProxy::start(0, p->controllerPort_);
  if (!proxy) return std::unexpected(proxy.error());
  p->proxy_ = std::move(*proxy);
  auto probe = platform::listenLoopback(0);
  if (!probe) return std::unexpected(probe.error());
  ::close(probe->first);
  p->gatewayPort_ = probe->second;

  p->up_ = std::make_unique<clemmys::testing::UpProcess>(p->dir_, std::vector<std::string>{}, true);
  if (!p->up_->ready()) return fail("attack.up_failed", "clemmys up did not become ready");
  ports = readPorts(p->dir_);
  if (!ports) return std::unexpected(ports.error());
  if (ports->controller != p->controllerPort_) return fail("attack.port_moved", "controller port changed");
  p->kmsUrl_ = "https://127.0.0.1:" + std::to_string(ports->kms);
  if (auto s = p->applyPolicyUpdate(options); !s) return std::unexpected(s.error());
  if (auto s = p->launchGateway(); !s) return std::unexpected(s.error());
  return p;
}

Provider::~Provider() {
  (void)stopPlatform();
  proxy_.reset();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::vector<std::string> Provider::gatewayArgv() const {
  return {binDir_ + "/clemmys-gateway", "--kms", kmsUrl_, "--kms-cert", dir_ + "/kms-cert.pem",
          "--session", "dev", "--controller", "http://127.0.0.1:" + std::to_string(proxy_->port()),
          "--host", "127.0.0.1", "--port", std::to_string(gatewayPort_)};
}

Status Provider::applyPolicyUpdate(const ProviderOptions& options) {
  std::string ownerDir = dir_ + "/owner";
  auto owner = platform::loadOrCreateOwnerKey(ownerDir);
  if (!owner) return std::unexpected(owner.error());
  auto doc = platform::readTextFile(ownerDir + "/dev.yaml");
  if (!doc) return std::unexpected(doc.error());
  auto marker = platform::readTextFile(ownerDir + "/dev.applied");
  if (!marker) return std::unexpected(marker.error());
  std::string want = marker->substr(marker->find(' ') + 1);  // digest of up's own body, "\n" kept

  // The platform's gateway root (clemmys up wrote it): same binary, same KMS certificate.
  auto measurement = platform::measureLaunch(binDir_ + "/clemmys-simtee", gatewayArgv(),
                                             dir_ + "/gateway-rootfs.manifest");
  if (!measurement) return std::unexpected(measurement.error());
  std::string body = bodyOf(*doc);
  std::string gwKey = "  gateway: {measurements: [";
  auto at = body.find(gwKey);
  if (at == std::string::npos) return fail("attack.policy_shape", "no gateway measurements line");
  body.insert(at + gwKey.size(), *measurement + ", ");
  auto fn = body.find("functions:\n");
  if (fn == std::string::npos) return fail("attack.policy_shape", "no functions section");
  body.insert(fn + 11, options.extraFunctionsYaml);

  auto endpoint = kmsclient::parseKmsUrl(kmsUrl_);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto cert = platform::readTextFile(dir_ + "/kms-cert.pem");
  if (!cert) return std::unexpected(cert.error());
  endpoint->certificatePem = *cert;
  auto client = kmsclient::pinnedClient(*endpoint);
  if (!client) return std::unexpected(client.error());
  auto current = kmsclient::showSession(*client, "dev");
  if (!current) return std::unexpected(current.error());
  std::string hash(current->at("hash").as_string());
  int64_t version = current->at("version").to_number<int64_t>();
  std::string next = "name: dev\nversion: " + std::to_string(version + 1) + "\npredecessor: " + hash + "\n" +
                     options.sessionYaml + body;
  auto applied = kmsclient::applyPolicy(*client, next, *owner);
  if (!applied) return std::unexpected(applied.error());
  // Owner bookkeeping: `clemmys up` compares this marker with the KMS's current
  // hash; naming our version keeps restarts from re-applying its own body.
  if (auto s = platform::writePrivateFile(ownerDir + "/dev.yaml", next); !s) return s;
  return platform::writePrivateFile(ownerDir + "/dev.applied",
                                    std::string(applied->at("hash").as_string()) + " " + want);
}

Status Provider::launchGateway() {
  auto ca = platform::readTextFile(dir_ + "/session-ca.pem");
  if (!ca) return std::unexpected(ca.error());
  caPem_ = *ca;
  auto gw = platform::TrustedProcess::launch(dir_ + "/simtee.sock", gatewayArgv(),
                                             {"CLEMMYS_CONTROLLER_AUTH=" + controllerAuth_}, -1,
                                             "attack-gateway", dir_ + "/gateway-rootfs.manifest");
  if (!gw) return std::unexpected(gw.error());
  gateway_ = std::move(*gw);
  auto ready = gateway_->waitForLine("clemmys-gateway ready", std::chrono::seconds(30));
  if (!ready) return std::unexpected(ready.error());
  client_ = std::make_unique<http::Client>("127.0.0.1", gatewayPort_, http::ClientTls{caPem_, "127.0.0.1", true});
  auto props = platform::readTextFile(dir_ + "/wskprops");
  if (!props) return std::unexpected(props.error());
  auto a = props->find("AUTH=");
  if (a == std::string::npos) return fail("attack.wskprops", "no AUTH");
  clientAuthHeader_ = "Basic " + base64Encode(props->substr(a + 5, props->find('\n', a) - a - 5));
  return {};
}

Status Provider::stopPlatform() {
  runtimes_.clear();  // each TrustedProcess stops its process through the simtee
  client_.reset();
  controllerClient_.reset();
  gateway_.reset();
  up_.reset();
  return {};
}

Status Provider::startPlatform() {
  up_ = std::make_unique<clemmys::testing::UpProcess>(dir_, std::vector<std::string>{}, true);
  if (!up_->ready()) return fail("attack.up_failed", "clemmys up did not come back");
  auto ports = readPorts(dir_);
  if (!ports) return std::unexpected(ports.error());
  if (ports->controller != controllerPort_ || "https://127.0.0.1:" + std::to_string(ports->kms) != kmsUrl_) {
    return fail("attack.port_moved", "clemmys up moved the controller or KMS port");
  }
  return launchGateway();
}

Result<http::Response> Provider::call(const std::string& method, const std::string& target,
                                      const std::string& body) {
  return callAs(clientAuthHeader_, method, target, body);
}

Result<http::Response> Provider::callAs(const std::string& authHeader, const std::string& method,
                                        const std::string& target, const std::string& body) {
  if (!client_) return fail("attack.not_running", "gateway not running");
  return client_->request(method, target, body,
                          {{"Authorization", authHeader}, {"Content-Type", "application/json"}},
                          std::chrono::seconds(90));
}

Result<http::Response> Provider::controllerCall(const std::string& method, const std::string& target,
                                                const std::string& body) {
  if (!controllerClient_) controllerClient_ = std::make_unique<http::Client>("127.0.0.1", controllerPort_);
  return controllerClient_->request(method, target, body,
                                    {{"Authorization", "Basic " + base64Encode(controllerAuth_)},
                                     {"Content-Type", "application/json"}},
                                    std::chrono::seconds(90));
}

Result<uint16_t> Provider::launchRuntime() {
  auto sock = platform::listenLoopback(0);
  if (!sock) return std::unexpected(sock.error());
  // Exactly what the platform's invoker launches (clemmys up writes it down).
  auto launch = platform::readTextFile(dir_ + "/runtime-launch.json");
  if (!launch) return std::unexpected(launch.error());
  boost::json::error_code ec;
  auto spec = boost::json::parse(*launch, ec);
  if (ec || !spec.is_object()) return fail("attack.bad_launch", "runtime-launch.json is not JSON");
  std::vector<std::string> argv;
  for (const auto& a : spec.at("argv").as_array()) argv.emplace_back(a.as_string());
  auto rt = platform::TrustedProcess::launch(dir_ + "/simtee.sock", argv, {}, sock->first, "attack-runtime",
                                             std::string(spec.at("rootfs").as_string()));
  ::close(sock->first);
  if (!rt) return std::unexpected(rt.error());
  runtimes_.push_back(std::move(*rt));
  return sock->second;
}

}  // namespace clemmys::attack
