#include "kms/service.h"

#include <openssl/crypto.h>

#include <filesystem>

#include "attest/dcap_verifier.h"
#include "crypto/cert_issuer.h"
#include "kms/protocol.h"

namespace clemmys::kms {
namespace {

std::string asString(const crypto::SecretBytes& s) {
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

// Creates the KMS's TLS key and certificate on first start; they live in the
// sealed store so the fingerprint owners pin survives restarts. The certificate
// is self-signed with cA=TRUE so a client can use it directly as its only trust
// anchor (http::ClientTls::caPem) once `clemmys kms verify` vouched for it.
Status ensureTlsIdentity(KmsState& state, SealedStore& store, const std::string& host, const Clock& clock,
                         Random& random) {
  if (state.tlsKey && !state.tlsCertPem.empty()) return {};
  auto key = crypto::EcPrivateKey::generateP256();
  if (!key) return std::unexpected(key.error());
  crypto::Bytes serial(16);
  random.fill(serial.data(), serial.size());
  serial[0] |= 1;
  int64_t now = clock.nowMs() / 1000;
  std::vector<std::string> names = {"localhost", "127.0.0.1"};
  if (host != "localhost" && host != "127.0.0.1" && host != "0.0.0.0") names.push_back(host);
  auto cert = crypto::issueSelfSigned(*key, crypto::CertSpec{"clemmys-kms", names, now - 300,
                                                             now + 10LL * 365 * 24 * 3600, true, serial});
  if (!cert) return std::unexpected(cert.error());
  state.tlsKey = std::move(*key);
  state.tlsCertPem = crypto::certificatePem(*cert);
  return store.save(asString(encodeState(state)));
}

}  // namespace

Result<std::unique_ptr<KmsService>> KmsService::start(const ServiceOptions& options, ServiceDeps deps) {
  std::error_code ec;
  std::filesystem::create_directories(options.stateDir, ec);
  if (ec) return fail("kms.store_io", "cannot create " + options.stateDir + ": " + ec.message());
  std::unique_ptr<KmsService> svc(new KmsService());
  svc->store_ = std::make_unique<SealedStore>(options.stateDir + "/kms.store", deps.platform, deps.random);
  auto plain = svc->store_->load();
  if (!plain) return std::unexpected(plain.error());
  KmsState state;
  if (*plain) {
    auto decoded = decodeState(**plain);
    OPENSSL_cleanse((*plain)->data(), (*plain)->size());
    if (!decoded) return std::unexpected(decoded.error());
    state = std::move(*decoded);
  }
  if (auto st = ensureTlsIdentity(state, *svc->store_, options.host, deps.clock, deps.random); !st) {
    return std::unexpected(st.error());
  }
  auto chain = crypto::Certificate::chainFromPem(state.tlsCertPem);
  if (!chain || chain->empty()) return fail("kms.state_corrupt", "TLS certificate");
  auto evidence = deps.attester.evidence(kmsTlsReportData((*chain)[0].der()));
  if (!evidence) return std::unexpected(evidence.error());
  svc->identity_ = KmsIdentity{deps.attester.type(), *evidence, state.tlsCertPem};
  http::ServerTls tls{state.tlsCertPem, asString(state.tlsKey->toPem())};

  svc->sessions_ = std::make_unique<SessionManager>(std::move(state), *svc->store_, deps.random, deps.clock);
  svc->nonces_ = std::make_unique<NonceRegistry>(deps.clock, deps.random, options.nonceTtlMs, 100'000,
                                                 options.maxNoncesPerPeer);
  svc->limiter_ = std::make_unique<PeerLimiter>(deps.clock, options.peerLimits);
  svc->verifiers_ = hardwareVerifiers(deps.clock);
  if (options.simRootPem) {
    auto root = crypto::Certificate::chainFromPem(*options.simRootPem);
    if (!root || root->size() != 1) return fail("kms.bad_sim_root", "sim root must be one PEM certificate");
    svc->verifiers_["sim"] = std::make_unique<attest::DcapVerifier>(attest::EvidenceType::kSim,
                                                                     (*root)[0].publicKey().spkiDer(), deps.clock);
  }
  auto audit = AuditLog::open(options.stateDir + "/audit.log", deps.clock);
  if (!audit) return std::unexpected(audit.error());
  svc->audit_ = std::move(*audit);
  svc->releaser_ = std::make_unique<Releaser>(*svc->sessions_, *svc->nonces_, svc->verifiers_, *svc->audit_, deps.random);
  svc->api_ = std::make_unique<KmsApi>(*svc->sessions_, *svc->nonces_, *svc->releaser_, *svc->limiter_,
                                       svc->identity_);

  http::ServerOptions server;
  server.host = options.host;
  server.port = options.port;
  server.listenFd = options.listenFd;
  server.tls = std::move(tls);
  KmsApi* api = svc->api_.get();
  auto started = http::Server::start(std::move(server), [api](http::Request& r) { return api->handle(r); });
  if (!started) return std::unexpected(started.error());
  svc->server_ = std::move(*started);
  return svc;
}

KmsService::~KmsService() { stop(); }

uint16_t KmsService::port() const { return server_ ? server_->port() : 0; }

void KmsService::stop() {
  if (server_) server_->stop();
}

}  // namespace clemmys::kms
