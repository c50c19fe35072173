#include "owner/verify_provider.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/encoding.h"
#include "crypto/digest.h"
#include "simtee/measurement.h"
#include "simtee/rootfs_manifest.h"
#include "simtee/rootfs_verifier.h"

namespace clemmys::owner {
namespace {

using platform::LaunchDescription;

Result<std::string> readBinary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("owner.no_binary", "cannot read " + path + " (the owner's own copy)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every `file` and `tree` entry that also exists here must have this machine's digest.
Status compareManifest(const std::string& name, const simtee::RootfsManifest& manifest, bool allowDiff,
                       std::ostream& progress) {
  simtee::RootfsVerifier local(::geteuid());
  int same = 0, absent = 0, compared = 0;
  std::vector<std::string> differ;
  for (const auto& e : manifest.entries) {
    if (e.type != simtee::RootfsEntry::Type::file && e.type != simtee::RootfsEntry::Type::tree) continue;
    ++compared;
    struct stat st{};
    if (::stat(e.path.c_str(), &st) != 0) {
      ++absent;
      continue;
    }
    auto digest = e.type == simtee::RootfsEntry::Type::file ? local.fileDigestHex(e.path) : local.treeDigestHex(e.path);
    if (!digest) {
      ++absent;  // here but unreadable or not trusted here: not a comparison
      continue;
    }
    if (*digest == e.digestHex) {
      ++same;
    } else {
      differ.push_back(e.path);
    }
  }
  progress << "  " << name << " manifest: " << compared << " files and trees: " << same
           << " identical to this machine's copies, " << absent << " not present or not readable here, "
           << differ.size() << " different" << std::endl;
  for (const auto& p : differ) progress << "    differs: " << p << std::endl;
  if (!differ.empty() && !allowDiff) {
    return fail("owner.manifest_differs", name + " would load " + differ.front() +
                                              " with other bytes than this machine's copy (review, then "
                                              "--allow-manifest-diff)");
  }
  return {};
}

Result<std::string> checkLaunch(const std::string& name, const std::string& binary, const LaunchDescription& launch,
                                bool allowDiff, std::ostream& progress) {
  auto manifest = simtee::parseRootfsManifest(launch.manifest);
  if (!manifest) return std::unexpected(manifest.error());
  if (auto s = compareManifest(name, *manifest, allowDiff, progress); !s) return std::unexpected(s.error());
  auto measured = expectedMeasurement(binary, launch);
  if (!measured) return std::unexpected(measured.error());
  if (*measured != launch.measurement) {
    return fail("owner.measurement_differs", name + ": the provider says " + launch.measurement +
                                                 ", the owner's binary with that argv and manifest gives " + *measured);
  }
  progress << "ok " << name << " measurement " << *measured << " (from " << binary << ", " << launch.argv.size() - 1
           << " arguments, manifest " << toHex(manifest->digest).substr(0, 16) << "...)" << std::endl;
  return *measured;
}

// The launch trusts the KMS the owner pinned: --session is ours and --kms-cert's file
// is in the manifest with the pinned certificate's digest.
Status checkNamesPinnedKms(const std::string& name, const LaunchDescription& launch, const std::string& session,
                           const std::string& pinnedPem, std::ostream& progress) {
  std::string s = platform::argValue(launch.argv, "--session");
  if (s != session) {
    return fail("owner.session_mismatch", name + " attests to session '" + s + "', not '" + session + "'");
  }
  std::string certPath = platform::argValue(launch.argv, "--kms-cert");
  std::string want = toHex(crypto::sha256(crypto::asBytes(pinnedPem)));
  auto manifest = simtee::parseRootfsManifest(launch.manifest);
  if (!manifest) return std::unexpected(manifest.error());
  for (const auto& e : manifest->entries) {
    if (e.type == simtee::RootfsEntry::Type::file && e.path == certPath && e.digestHex == want) {
      progress << "ok " << name << " trusts the pinned KMS certificate (" << certPath << ") in session " << session
               << std::endl;
      return {};
    }
  }
  return fail("owner.kms_cert_not_pinned",
              name + "'s --kms-cert '" + certPath + "' is not the certificate of the KMS just verified");
}

}  // namespace

Result<std::string> expectedMeasurement(const std::string& binary, const LaunchDescription& launch) {
  auto exe = readBinary(binary);
  if (!exe) return std::unexpected(exe.error());
  auto manifest = simtee::parseRootfsManifest(launch.manifest);
  if (!manifest) return std::unexpected(manifest.error());
  auto m = simtee::measure(crypto::asBytes(*exe), launch.argv, tee::SandboxOptions{}, &manifest->digest);
  return toHex(m);
}

Result<VerifiedProvider> verifyProvider(const platform::ProviderInfo& info, const VerifyOptions& options,
                                        const Clock& clock, std::ostream& progress) {
  VerifiedProvider out;
  out.info = info;
  auto kmsM = checkLaunch("kms", options.binDir + "/clemmys-kms", info.kms, options.allowManifestDiff, progress);
  if (!kmsM) return std::unexpected(kmsM.error());
  out.kmsMeasurement = *kmsM;

  auto endpoint = kmsclient::parseKmsUrl(options.kmsUrl);
  if (!endpoint) return std::unexpected(endpoint.error());
  std::optional<std::string> root = options.simRootPem;
  if (!root && info.evidenceType == "sim" && !info.simRootPem.empty()) root = info.simRootPem;
  kmsclient::KmsExpectations expect;
  expect.measurementHex = out.kmsMeasurement;
  expect.simRootPem = root;
  expect.tcbStatus = options.acceptTcb;
  if (!options.collateralDir.empty()) expect.collateral.emplace(options.collateralDir);
  auto kms = kmsclient::verifyKms(*endpoint, expect, clock);
  if (!kms) return std::unexpected(kms.error());
  out.kms = std::move(*kms);
  progress << "ok kms evidence (" << attest::evidenceTypeName(out.kms.claims.type) << ") at " << options.kmsUrl
           << ": measurement matches, report data binds the TLS certificate " << out.kms.fingerprintHex.substr(0, 16)
           << "..." << (out.kms.claims.tcbStatus ? ", TCB status " + *out.kms.claims.tcbStatus + " accepted" : "")
           << std::endl;
  if (out.kms.claims.insecure) {
    progress << "  warning: sim evidence is insecure: whoever runs the simtee (the provider) holds its root key"
             << std::endl;
  }

  auto gw = checkLaunch("gateway", options.binDir + "/clemmys-gateway", info.gateway, options.allowManifestDiff, progress);
  if (!gw) return std::unexpected(gw.error());
  auto rt = checkLaunch("runtime", options.binDir + "/clemmys-runtime", info.runtime, options.allowManifestDiff, progress);
  if (!rt) return std::unexpected(rt.error());
  for (auto [name, launch] : {std::pair{"gateway", &info.gateway}, {"runtime", &info.runtime}}) {
    if (auto s = checkNamesPinnedKms(name, *launch, info.session, out.kms.certificatePem, progress); !s) {
      return std::unexpected(s.error());
    }
  }
  out.gatewayMeasurement = *gw;
  out.runtimeMeasurement = *rt;
  return out;
}

}  // namespace clemmys::owner
