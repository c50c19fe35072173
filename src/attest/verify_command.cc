#include "attest/verify_command.h"

#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attest/dcap_quote.h"
#include "attest/dcap_verifier.h"
#include "attest/snp_report.h"
#include "attest/snp_verifier.h"
#include "attest/trust_anchors.h"
#include "common/encoding.h"
#include "crypto/x509.h"

namespace clemmys::attest {
namespace {

constexpr const char* kUsage =
    "usage: clemmys attest verify FILE [--type sgx|tdx|snp|sim] [--collateral FILE] [--at RFC3339-TIME]\n"
    "                             [--vcek FILE] [--chain FILE] [--root FILE] [--allow-debug]\n"
    "                             [--no-time-check] [--json]\n";

struct Args {
  std::string evidenceFile;
  std::optional<std::string> type, collateral, at, vcek, chain, root;
  bool allowDebug = false, noTimeCheck = false, json = false;
};

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Result<Args> parseArgs(int argc, char** argv) {
  if (argc < 4 || std::string(argv[2]) != "verify") return fail("usage", "expected: attest verify FILE");
  Args a;
  std::vector<std::string> rest(argv + 3, argv + argc);
  for (size_t i = 0; i < rest.size(); ++i) {
    const std::string& s = rest[i];
    auto value = [&](std::optional<std::string>& into) -> Status {
      if (i + 1 >= rest.size()) return fail("usage", s + " needs a value");
      into = rest[++i];
      return {};
    };
    Status st;
    if (s == "--type") st = value(a.type);
    else if (s == "--collateral") st = value(a.collateral);
    else if (s == "--at") st = value(a.at);
    else if (s == "--vcek") st = value(a.vcek);
    else if (s == "--chain") st = value(a.chain);
    else if (s == "--root") st = value(a.root);
    else if (s == "--allow-debug") a.allowDebug = true;
    else if (s == "--no-time-check") a.noTimeCheck = true;
    else if (s == "--json") a.json = true;
    else if (!s.empty() && s[0] == '-') return fail("usage", "unknown option " + s);
    else if (a.evidenceFile.empty()) a.evidenceFile = s;
    else return fail("usage", "more than one evidence file");
    if (!st) return std::unexpected(st.error());
  }
  if (a.evidenceFile.empty()) return fail("usage", "missing evidence FILE");
  if (a.type && *a.type != "sgx" && *a.type != "tdx" && *a.type != "snp" && *a.type != "sim") {
    return fail("usage", "--type must be sgx, tdx, snp or sim");
  }
  return a;
}

// Evidence type from the bytes: SNP reports are exactly 1184 bytes with a small
// version; DCAP quotes say SGX or TDX in the header. Detection only picks the
// verifier — the verifier itself re-checks everything.
std::string detectType(const std::string& evidence) {
  crypto::ByteView b = crypto::asBytes(evidence);
  if (b.size() == kSnpReportSize && loadLe(b, 0, 4) <= 5) return "snp";
  if (b.size() >= 8 && loadLe(b, 4, 4) == kTeeTypeTdx) return "tdx";
  return "sgx";
}

Result<std::unique_ptr<Verifier>> makeVerifier(const std::string& type, const Args& a, const Clock& clock) {
  if (type == "snp") return std::unique_ptr<Verifier>(new SnpVerifier(clock));
  if (type == "sim") {
    if (!a.root) return fail("usage", "sim evidence needs --root (the installation's sim root certificate)");
    auto text = readFile(*a.root);
    if (!text) return fail("attest.file_unreadable", *a.root);
    Result<std::vector<crypto::Certificate>> certs = std::vector<crypto::Certificate>{};
    if (text->find("-----BEGIN") != std::string::npos) {
      certs = crypto::Certificate::chainFromPem(*text);
    } else if (auto one = crypto::Certificate::fromDer(crypto::asBytes(*text)); one) {
      certs->push_back(*one);
    } else {
      certs = std::unexpected(one.error());
    }
    if (!certs) return fail("attest.sim_root_malformed", certs.error().message);
    return std::unique_ptr<Verifier>(new DcapVerifier(EvidenceType::kSim, certs->back().publicKey().spkiDer(), clock));
  }
  EvidenceType t = type == "tdx" ? EvidenceType::kTdx : EvidenceType::kSgx;
  return std::unique_ptr<Verifier>(new DcapVerifier(t, intelSgxRootSpki(), clock));
}

void printClaims(const Claims& c, bool json, std::ostream& out) {
  if (json) {
    boost::json::object o;
    o["type"] = evidenceTypeName(c.type);
    o["measurement"] = toHex(c.measurement);
    if (c.type == EvidenceType::kSgx || c.type == EvidenceType::kSim) {
      o["signer"] = toHex(c.signer);
      o["product_id"] = c.productId;
    }
    o["svn"] = c.svn;
    o["debug"] = c.debug;
    o["report_data"] = toHex(c.reportData);
    if (c.tcbStatus) {
      o["tcb_status"] = *c.tcbStatus;
      boost::json::array adv;
      for (const auto& a : c.advisories) adv.emplace_back(a);
      o["advisories"] = adv;
    }
    if (!c.rtmrs.empty()) {
      boost::json::array r;
      for (const auto& m : c.rtmrs) r.emplace_back(toHex(m));
      o["rtmrs"] = r;
    }
    o["insecure"] = c.insecure;
    out << boost::json::serialize(o) << "\n";
    return;
  }
  out << "verified: " << evidenceTypeName(c.type) << (c.insecure ? " (INSECURE: simulated TEE)" : "") << "\n";
  out << "measurement: " << toHex(c.measurement) << "\n";
  if (!c.signer.empty()) out << "signer: " << toHex(c.signer) << "\n";
  out << "product_id: " << c.productId << "\nsvn: " << c.svn << "\n";
  out << "debug: " << (c.debug ? "true" : "false") << "\n";
  out << "report_data: " << toHex(c.reportData) << "\n";
  if (c.tcbStatus) {
    out << "tcb_status: " << *c.tcbStatus << "\nadvisories:";
    for (const auto& a : c.advisories) out << " " << a;
    out << "\n";
  }
}

int reportFailure(const Error& e, bool json, std::ostream& out, std::ostream& err) {
  err << "attest verify: " << e.str() << "\n";
  if (json) out << boost::json::serialize(boost::json::object{{"error", e.name}, {"message", e.message}}) << "\n";
  return 1;
}

}  // namespace

int runAttestCommand(int argc, char** argv, std::ostream& out, std::ostream& err) {
  auto args = parseArgs(argc, argv);
  if (!args) {
    err << "clemmys attest: " << args.error().message << "\n" << kUsage;
    return 2;
  }
  const Args& a = *args;
  auto evidence = readFile(a.evidenceFile);
  if (!evidence) return reportFailure(Error{"attest.file_unreadable", a.evidenceFile}, a.json, out, err);

  VerifyOptions options;
  options.allowDebug = a.allowDebug;
  options.checkTime = !a.noTimeCheck;
  if (a.at) {
    auto t = crypto::parseRfc3339(*a.at);
    if (!t) {
      err << "clemmys attest: " << t.error().message << "\n" << kUsage;
      return 2;
    }
    options.evaluationTime = *t;
  }
  std::string type = a.type ? *a.type : detectType(*evidence);
  struct FileOpt {
    const std::optional<std::string>& path;
    std::optional<std::string>& into;
  };
  std::optional<std::string> chainText;
  for (FileOpt f : {FileOpt{a.collateral, options.collateralJson}, FileOpt{a.vcek, options.snpLeafCert},
                    FileOpt{a.chain, chainText}}) {
    if (!f.path) continue;
    f.into = readFile(*f.path);
    if (!f.into) return reportFailure(Error{"attest.file_unreadable", *f.path}, a.json, out, err);
  }
  if (type == "snp") {
    options.snpCaChainPem = chainText;
  } else {
    options.pckChainPem = chainText;
  }
  SystemClock clock;
  auto verifier = makeVerifier(type, a, clock);
  if (!verifier) {
    if (verifier.error().name == "usage") {
      err << "clemmys attest: " << verifier.error().message << "\n" << kUsage;
      return 2;
    }
    return reportFailure(verifier.error(), a.json, out, err);
  }
  auto claims = (*verifier)->verify(crypto::asBytes(*evidence), options);
  if (!claims) return reportFailure(claims.error(), a.json, out, err);
  printClaims(*claims, a.json, out);
  return 0;
}

}  // namespace clemmys::attest
