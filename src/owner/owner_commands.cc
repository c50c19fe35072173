#include "owner/owner_commands.h"

#include <sys/stat.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "common/encoding.h"
#include "common/random.h"
#include "common/subprocess.h"
#include "crypto/digest.h"
#include "kmsclient/owner_client.h"
#include "owner/owner_dir.h"
#include "platform/dev_policy.h"
#include "platform/policy_additions.h"

namespace clemmys::owner {
namespace {

namespace json = boost::json;

struct Args {
  std::string verb;
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> flags;
  std::string value(const std::string& k) const {
    auto it = values.find(k);
    return it == values.end() ? "" : it->second;
  }
};

const std::set<std::string> kBooleanFlags = {"allow-manifest-diff"};

std::optional<Args> parse(int argc, char** argv) {
  Args a;
  if (argc < 3) return std::nullopt;
  a.verb = argv[2];
  for (int i = 3; i < argc; ++i) {
    std::string s = argv[i];
    if (!s.starts_with("--")) {
      a.positional.push_back(s);
    } else if (kBooleanFlags.contains(s.substr(2))) {
      a.flags.insert(s.substr(2));
    } else if (i + 1 < argc) {
      a.values[s.substr(2)] = argv[++i];
    } else {
      return std::nullopt;
    }
  }
  return a;
}

int usage(std::ostream& err) {
  err << "usage: clemmys owner init [--dir O]\n"
         "       clemmys owner verify-kms URL --provider provider.json [--sim-root PEM] [--allow-manifest-diff]\n"
         "                  [--collateral-dir DIR] [--accept-tcb STATUS[,STATUS...]] (default UpToDate) [--dir O]\n"
         "       clemmys owner apply POLICY [--dir O]     (POLICY: functions: and secrets:, doc/formats/policy.md)\n"
         "       clemmys owner show [--dir O]\n"
         "       clemmys owner history [--dir O]\n"
         "O defaults to $CLEMMYS_OWNER_DIR, else ~/.clemmys-owner (doc/deploy.md)\n";
  return 2;
}

int report(const Error& e, std::ostream& err) {
  err << "clemmys owner: " << e.str() << std::endl;
  return 1;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

int init(const std::string& dir, std::ostream& out, std::ostream& err) {
  bool existed = std::filesystem::exists(dir + "/owner.pem");
  auto key = platform::loadOrCreateOwnerKey(dir);
  if (!key) return report(key.error(), err);
  SystemRandom random;
  auto auth = platform::loadOrCreateClientAuth(dir, random);
  if (!auth) return report(auth.error(), err);
  auto spki = key->publicKey().spkiDer();
  out << (existed ? "kept" : "created") << " owner key " << dir << "/owner.pem (public key SHA-256 "
      << toHex(crypto::sha256(spki)) << ")\n"
      << "client credential " << dir << "/client-auth (user " << auth->substr(0, auth->find(':')) << ")\n";
  return 0;
}

int verifyKms(const Args& a, const std::string& dir, std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 1 || a.value("provider").empty()) return usage(err);
  auto text = platform::readTextFile(a.value("provider"));
  if (!text) return report(text.error(), err);
  auto info = platform::parseProviderInfo(*text);
  if (!info) return report(info.error(), err);
  VerifyOptions o;
  o.binDir = selfDirectory();
  o.kmsUrl = a.positional[0];
  o.allowManifestDiff = a.flags.contains("allow-manifest-diff");
  o.collateralDir = a.value("collateral-dir");
  if (std::string tcb = a.value("accept-tcb"); !tcb.empty()) {
    o.acceptTcb.clear();
    for (size_t at = 0; at <= tcb.size();) {
      size_t comma = std::min(tcb.find(',', at), tcb.size());
      if (comma > at) o.acceptTcb.push_back(tcb.substr(at, comma - at));
      at = comma + 1;
    }
  }
  if (std::string f = a.value("sim-root"); !f.empty()) {
    auto pem = platform::readTextFile(f);
    if (!pem) return report(pem.error(), err);
    o.simRootPem = *pem;
  } else if (info->evidenceType == "sim") {
    out << "note: the sim root is provider.json's own (sim evidence proves nothing against the provider)\n";
  }
  SystemClock clock;
  auto verified = verifyProvider(*info, o, clock, out);
  if (!verified) return report(verified.error(), err);
  if (auto s = saveApproved(dir, *verified, o.kmsUrl); !s) return report(s.error(), err);
  out << "verified: session " << info->session << ", gateway " << info->gatewayUrl << "; pinned "
      << dir << "/kms-cert.pem (SHA-256 " << verified->kms.fingerprintHex << ")\n";
  return 0;
}

Result<http::Client> pinned(const std::string& dir, const Approved& approved) {
  auto endpoint = kmsclient::parseKmsUrl(approved.kmsUrl);
  if (!endpoint) return std::unexpected(endpoint.error());
  auto cert = platform::readTextFile(dir + "/kms-cert.pem");
  if (!cert) return fail("owner.not_verified", "no pinned KMS certificate in " + dir);
  endpoint->certificatePem = *cert;
  return kmsclient::pinnedClient(*endpoint);
}

// A session first signed by another key is not ours to update.
Status checkOwnership(http::Client& kms, const std::string& session, const std::string& ownPem) {
  auto current = kmsclient::showSession(kms, session);
  if (!current) {
    if (current.error().name == "kms.unknown_session") return {};
    return std::unexpected(current.error());
  }
  auto owners = current->if_contains("owners");
  if (owners && owners->is_array()) {
    for (auto& o : owners->as_array()) {
      if (o.is_string() && trimmed(std::string(o.as_string())) == trimmed(ownPem)) return {};
    }
  }
  return fail("owner.session_taken", "session '" + session + "' already exists and this key is not among its owners");
}

int apply(const Args& a, const std::string& dir, std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 1) return usage(err);
  auto approved = loadApproved(dir);
  if (!approved) return report(approved.error(), err);
  auto key = loadOwnerKey(dir);
  if (!key) return report(key.error(), err);
  auto auth = loadClientAuth(dir);
  if (!auth) return report(auth.error(), err);
  auto text = platform::readTextFile(a.positional[0]);
  if (!text) return report(text.error(), err);
  auto additions = platform::parsePolicyAdditions(*text);
  if (!additions) return report(additions.error(), err);
  auto client = pinned(dir, *approved);
  if (!client) return report(client.error(), err);

  platform::PolicyInputs in;
  in.session = approved->session;
  in.ownerPublicPem = crypto::publicKeyPem(key->publicKey());
  in.gatewayMeasurements = {approved->gatewayMeasurement};
  in.runtimeMeasurements = {approved->runtimeMeasurement};
  in.evidence = {approved->evidenceType};
  in.clientAuth = *auth;
  in.extraFunctionsYaml = additions->functionsYaml;
  in.extraSecretsYaml = additions->secretsYaml;
  if (auto s = checkOwnership(*client, in.session, in.ownerPublicPem); !s) return report(s.error(), err);
  auto applied = platform::ensurePolicy(*client, dir, *key, in.session, platform::policyBody(in));
  if (!applied) return report(applied.error(), err);
  out << "session " << in.session << " v" << applied->version << " " << (applied->changed ? "applied" : "unchanged")
      << " (hash " << applied->hash << ")\n";

  auto session = kmsclient::showSession(*client, in.session);
  if (!session) return report(session.error(), err);
  auto ca = session->if_contains("session_ca_pem");
  if (!ca || !ca->is_string()) return report(Error{"owner.no_session_ca", "the KMS returned no session CA"}, err);
  std::string caPath = dir + "/session-ca.pem";
  if (auto s = platform::writePrivateFile(caPath, std::string(ca->as_string())); !s) return report(s.error(), err);
  std::string props = "APIHOST=" + approved->gatewayUrl + "\nAUTH=" + *auth + "\nCACERT=" + caPath + "\n";
  if (auto s = platform::writePrivateFile(dir + "/wskprops", props); !s) return report(s.error(), err);
  out << "wskprops: " << dir << "/wskprops (APIHOST=" << approved->gatewayUrl << ", CACERT=" << caPath << ")\n";
  return 0;
}

int showOrHistory(const std::string& verb, const std::string& dir, std::ostream& out, std::ostream& err) {
  auto approved = loadApproved(dir);
  if (!approved) return report(approved.error(), err);
  auto client = pinned(dir, *approved);
  if (!client) return report(client.error(), err);
  auto r = verb == "show" ? kmsclient::showSession(*client, approved->session)
                          : kmsclient::sessionHistory(*client, approved->session);
  if (!r) return report(r.error(), err);
  out << json::serialize(*r) << "\n";
  return 0;
}

}  // namespace

int ownerCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  auto a = parse(argc, argv);
  if (!a) return usage(err);
  if (a->verb == "-h" || a->verb == "--help") {
    usage(out);
    return 0;
  }
  std::string dir = resolveOwnerDir(a->value("dir"));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return report(Error{"platform.io", "cannot create " + dir + ": " + ec.message()}, err);
  ::chmod(dir.c_str(), 0700);
  if (a->verb == "init") return a->positional.empty() ? init(dir, out, err) : usage(err);
  if (a->verb == "verify-kms") return verifyKms(*a, dir, out, err);
  if (a->verb == "apply") return apply(*a, dir, out, err);
  if ((a->verb == "show" || a->verb == "history") && a->positional.empty()) return showOrHistory(a->verb, dir, out, err);
  return usage(err);
}

}  // namespace clemmys::owner
