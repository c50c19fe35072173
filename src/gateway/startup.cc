#include "gateway/startup.h"

#include <fstream>
#include <sstream>

#include "crypto/ec_key.h"
#include "kmsclient/attest_client.h"

namespace clemmys::gateway {

namespace {

Result<std::string> pemOf(const std::string& arg) {
  if (arg.find("-----BEGIN") != std::string::npos) return arg;
  std::ifstream in(arg);
  if (!in) return fail("gateway.bad_kms_cert", "cannot read " + arg);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().find("-----BEGIN") == std::string::npos) return fail("gateway.bad_kms_cert", arg + " is not PEM");
  return ss.str();
}

}  // namespace

Result<Started> attestAndLoad(const StartupOptions& options, tee::Attester& attester, envelope::KeyRing& keys) {
  auto endpoint = kmsclient::parseKmsUrl(options.kmsUrl);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto pem = pemOf(options.kmsCert);
  if (!pem) return std::unexpected(pem.error());
  endpoint->certificatePem = *pem;
  auto client = kmsclient::pinnedClient(*endpoint);
  if (!client) return std::unexpected(client.error());

  auto tlsKey = crypto::EcPrivateKey::generateP256();
  if (!tlsKey) return std::unexpected(tlsKey.error());
  kmsclient::AttestRequest request;
  request.session = options.session;
  request.service = "gateway";
  request.function = std::string(kConfigEntry);
  request.tlsPublicKey = tlsKey->publicKey().spkiDer();
  request.tlsNames = options.tlsNames;
  auto config = kmsclient::fetchConfiguration(*client, attester, request);
  if (!config) return std::unexpected(config.error());
  auto identity = loadReleasedConfig(*config, keys);
  config->clear();
  if (!identity) return std::unexpected(identity.error());
  return Started{std::move(*identity), tlsKey->toPem()};
}

}  // namespace clemmys::gateway
