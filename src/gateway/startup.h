// Gateway start-up: a fresh P-256 TLS key, attestation to the KMS (service
// `gateway`, the TLS public key sent along so the session CA certifies it),
// and the released configuration loaded into a KeyRing. Any failure is a named
// error and the gateway does not serve.
// Thread safety: call once from main() before serving.
#pragma once

#include <string>
#include <vector>

#include "crypto/secret_bytes.h"
#include "gateway/released_config.h"
#include "tee/attester.h"

namespace clemmys::gateway {

struct StartupOptions {
  std::string kmsUrl;       // https://host:port
  std::string kmsCert;      // PEM text, or a path to a PEM file
  std::string session;
  std::vector<std::string> tlsNames{"localhost", "127.0.0.1"};
};

struct Started {
  GatewayIdentity identity;
  crypto::SecretBytes tlsKeyPem;  // PKCS#8 PEM of the key the certificate is for
};

// Errors: gateway.bad_kms_cert, kmsclient.*, kms.*, attest.*, tee.*,
// gateway.bad_config, gateway.no_client_credentials.
Result<Started> attestAndLoad(const StartupOptions& options, tee::Attester& attester, envelope::KeyRing& keys);

}  // namespace clemmys::gateway
