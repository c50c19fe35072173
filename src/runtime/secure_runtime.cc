#include "runtime/secure_runtime.h"

#include <fstream>
#include <sstream>

namespace clemmys::runtime {

SecureRuntime::~SecureRuntime() {
  proxy_.reset();
  logs_.reset();
  options_.files.remove();
}

Result<std::unique_ptr<SecureRuntime>> SecureRuntime::start(SecureOptions options, ActionProxy& proxy,
                                                            const Clock& clock, Random& random) {
  std::unique_ptr<SecureRuntime> rt(new SecureRuntime());
  auto endpoint = kmsclient::parseKmsUrl(options.kmsUrl);
  if (!endpoint) return std::unexpected(endpoint.error());
  if (options.kmsCert.starts_with("-----BEGIN")) {
    endpoint->certificatePem = options.kmsCert;
  } else {
    std::ifstream in(options.kmsCert);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in || pem.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return fail("runtime.bad_kms_cert", "cannot read a PEM certificate from " + options.kmsCert);
    }
    endpoint->certificatePem = pem.str();
  }
  tee::AttesterConfig attesterConfig;
  attesterConfig.backend = options.attester;  // sim | sgx | tdx | snp, as for the gateway
  attesterConfig.collateralDir = options.collateralDir;
  auto attester = tee::makeAttester(attesterConfig);
  if (!attester) return std::unexpected(attester.error());
  rt->kms_ = std::make_unique<KmsKeySource>(*endpoint, std::move(*attester), options.session);

  auto config = rt->kms_->fetch(std::nullopt);
  if (!config) return std::unexpected(config.error());
  if (auto st = loadKeys(*config, rt->keys_); !st) return std::unexpected(st.error());
  auto lifetime = messageLifetimeMs(*config);
  if (!lifetime) return std::unexpected(lifetime.error());

  auto logs = LogSealer::start(rt->keys_, random, std::string(kSentinel));
  if (!logs) return std::unexpected(logs.error());
  rt->logs_ = std::move(*logs);
  rt->options_ = std::move(options);
  config->clear();  // held keys and secrets: nothing else needs them now
  rt->proxy_ = std::make_unique<SecureProxy>(
      SecureDeps{proxy, *rt->kms_, rt->keys_, clock, random, rt->logs_.get(), &rt->options_.files, *lifetime});
  return rt;
}

}  // namespace clemmys::runtime
