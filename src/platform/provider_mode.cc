// SecurePlatform in provider mode (doc/deploy.md): what the provider writes for its
// owner, and the wait for the owner's signed policy; and, in both modes, the service
// configs for running each part alone (doc/formats/service-config.md).
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "kmsclient/owner_client.h"
#include "platform/dev_policy.h"
#include "platform/provider_info.h"
#include "platform/secure_platform.h"
#include "platform/service_runner.h"

namespace clemmys::platform {
namespace {

Status writePublicFile(const std::string& path, const std::string& text) {
  if (auto s = writePrivateFile(path, text); !s) return s;
  ::chmod(path.c_str(), 0644);
  return {};
}

Result<LaunchDescription> describe(const std::vector<std::string>& argv, const std::string& manifestPath,
                                   const std::string& measurement) {
  auto manifest = readTextFile(manifestPath);
  if (!manifest) return std::unexpected(manifest.error());
  return LaunchDescription{argv, *manifest, measurement};
}

// True when the session's current version lists `measurement` for `service`.
bool listsMeasurement(const boost::json::object& session, const std::string& service, const std::string& measurement) {
  auto services = session.if_contains("services");
  auto entry = services && services->is_object() ? services->as_object().if_contains(service) : nullptr;
  auto list = entry && entry->is_object() ? entry->as_object().if_contains("measurements") : nullptr;
  if (!list || !list->is_array()) return false;
  for (auto& m : list->as_array()) {
    if (m.is_string() && m.as_string() == measurement) return true;
  }
  return false;
}

}  // namespace

Status SecurePlatform::writeProviderFiles(std::ostream& progress) {
  ProviderInfo info;
  info.session = options_.session;
  info.kmsUrl = kmsUrl_;
  info.gatewayUrl = apiHost();
  info.evidenceType = "sim";
  info.simRootPem = simRoot_;
  auto kms = describe(kmsArgv_, kmsRootfs(), kmsMeasurement_);
  auto gateway = describe(gatewayArgv(), gatewayRootfs(), gatewayMeasurement_);
  auto runtime = describe(runtimeArgv_, rootfs_.manifestPath, runtimeMeasurement_);
  if (!kms) return std::unexpected(kms.error());
  if (!gateway) return std::unexpected(gateway.error());
  if (!runtime) return std::unexpected(runtime.error());
  info.kms = std::move(*kms);
  info.gateway = std::move(*gateway);
  info.runtime = std::move(*runtime);
  if (auto s = writePublicFile(providerInfoPath(), providerInfoJson(info)); !s) return s;
  if (auto s = writePublicFile(options_.dataDir + "/kms-url", kmsUrl_ + "\n"); !s) return s;
  if (auto s = writePublicFile(options_.dataDir + "/sim-root.pem", simRoot_); !s) return s;
  progress << "provider: for the owner: " << providerInfoPath() << " (KMS " << kmsUrl_ << ", certificate "
           << kmsCertPath_ << ", session " << options_.session << ")" << std::endl;
  return {};
}

Status SecurePlatform::waitForOwnerPolicy(std::ostream& progress) {
  auto client = kmsClient();
  if (!client) return std::unexpected(client.error());
  bool announced = false;
  for (;;) {
    auto session = kmsclient::showSession(*client, options_.session);
    if (session && listsMeasurement(*session, "gateway", gatewayMeasurement_)) {
      policyHash_ = std::string(session->at("hash").as_string());
      progress << "policy: the owner's session " << options_.session << " v"
               << session->at("version").to_number<int64_t>() << " (" << policyHash_.substr(0, 16)
               << "...) names this gateway" << std::endl;
      return {};
    }
    if (!session && session.error().name != "kms.unknown_session" && session.error().name != "kms.not_found") {
      return std::unexpected(session.error());
    }
    if (!announced) {
      progress << "provider: waiting for the owner's policy (session " << options_.session
               << " naming gateway " << gatewayMeasurement_.substr(0, 16) << "...)" << std::endl;
      announced = true;
    }
    for (int i = 0; i < 10; ++i) {
      if (options_.stopRequested && options_.stopRequested()) {
        return fail("platform.stopped", "stopped while waiting for the owner's policy");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

Status SecurePlatform::writeServiceConfigs() {
  std::string dir = options_.dataDir + "/services";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail("platform.io", "cannot create " + dir + ": " + ec.message());
  ServiceConfig kms;
  kms.name = "kms";
  kms.simteeSocket = simteeSocket();
  kms.argv = kmsArgv_;
  kms.rootfs = kmsRootfs();
  kms.listen = true;
  kms.listenPort = static_cast<uint16_t>(std::stoi(kmsUrl_.substr(kmsUrl_.rfind(':') + 1)));
  kms.ready = "clemmys-kms listening";
  kms.expectMeasurement = kmsMeasurement_;
  ServiceConfig gateway;
  gateway.name = "gateway";
  gateway.simteeSocket = simteeSocket();
  gateway.argv = gatewayArgv();
  gateway.rootfs = gatewayRootfs();
  gateway.envFromFiles = {{"CLEMMYS_CONTROLLER_AUTH", options_.dataDir + "/controller/auth"}};
  gateway.ready = "clemmys-gateway ready";
  gateway.expectMeasurement = gatewayMeasurement_;
  if (auto s = writePrivateFile(dir + "/kms.json", serviceConfigJson(kms)); !s) return s;
  if (auto s = writePrivateFile(dir + "/gateway.json", serviceConfigJson(gateway)); !s) return s;
  // Read by the untrusted uid itself (systemd User=); it holds no secret.
  return writePublicFile(dir + "/untrusted.json", untrustedConfigJson(untrustedConfig_) + "\n");
}

}  // namespace clemmys::platform
