// tee::Attester — evidence for 64 bytes of report data from the TEE this process
// runs in (DESIGN.md §5) — and tee::PlatformServices — what a TEE offers besides
// quotes: sealing keys bound to the measurement and monotonic counters.
//
// Backends: "sim" (SimAttester, tee/simtee_client.h: the clemmys-simtee socket),
// "sgx" (GramineAttester: /dev/attestation), "tdx"/"snp" (ConfigfsTsmAttester:
// /sys/kernel/config/tsm/report). Filesystem roots are constructor parameters so
// tests can point them at fake directories.
//
// Evidence is opaque bytes (held in a std::string) for attest::Verifier: a DCAP
// quote for sim/sgx/tdx, an SNP attestation report for snp. attest() adds what a
// verifier needs beside it (VerifierInputs: collateral, certificates), from the
// TEE itself (configfs-tsm's auxblob) and the host's collateral cache
// (doc/formats/collateral-cache.md).
// Thread safety: an Attester may be called from several threads; calls are
// serialised inside (the kernel interfaces are one report at a time).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "crypto/secret_bytes.h"
#include "tee/collateral_cache.h"

namespace clemmys::tee {

using ReportData = std::array<uint8_t, 64>;

// Evidence and the verifier inputs to send with it.
struct Evidence {
  std::string bytes;
  VerifierInputs inputs;
};

class Attester {
 public:
  virtual ~Attester() = default;
  // "sim", "sgx", "tdx" or "snp": which attest::Verifier takes the evidence.
  virtual std::string type() const = 0;
  // Evidence binding `reportData`. Errors: tee.* (see each backend).
  virtual Result<std::string> evidence(const ReportData& reportData) = 0;
  // Evidence with its verifier inputs. The default (sim) has none to add.
  // Errors: those of evidence(), and of CollateralCache::complete and
  // parseSnpCertTable for the hardware backends given a cache.
  virtual Result<Evidence> attest(const ReportData& reportData) {
    auto bytes = evidence(reportData);
    if (!bytes) return std::unexpected(bytes.error());
    return Evidence{std::move(*bytes), {}};
  }
};

class PlatformServices {
 public:
  virtual ~PlatformServices() = default;
  // 32-byte key: same measurement + label -> same key, across restarts of the
  // process and of the platform. Different measurements never share keys.
  virtual Result<crypto::SecretBytes> sealingKey(std::string_view label) = 0;
  // Monotonic counters, persistent, one namespace per measurement. A counter
  // that was never incremented reads 0.
  virtual Result<uint64_t> counterRead(std::string_view name) = 0;
  // Returns the new value.
  virtual Result<uint64_t> counterIncrement(std::string_view name) = 0;
};

// SGX under Gramine: write user_report_data, read quote (Gramine's
// /dev/attestation pseudo-files). attest() adds DIR/sgx/ of the collateral
// cache when one is given. Errors: tee.gramine_unavailable, tee.gramine_io,
// tee.gramine_empty_quote.
class GramineAttester final : public Attester {
 public:
  explicit GramineAttester(std::string root = "/dev/attestation", std::optional<CollateralCache> cache = {});
  std::string type() const override { return "sgx"; }
  Result<std::string> evidence(const ReportData& reportData) override;
  Result<Evidence> attest(const ReportData& reportData) override;

 private:
  std::string root_;
  std::optional<CollateralCache> cache_;
  std::mutex mu_;
};

// What one configfs-tsm report entry produced.
struct TsmReport {
  std::string outblob;   // the quote (TDX) or attestation report (SNP)
  std::string auxblob;   // SNP certificate table when the provider supplies one; may be empty
  std::string provider;  // "tdx_guest", "sev_guest", ... ("" if the file is absent)
  uint64_t generation = 0;
};

// TDX / SEV-SNP guests through the kernel's configfs-tsm interface: mkdir an
// entry, write inblob, read outblob (+ auxblob, provider, generation), rmdir.
// The entry name comes from an injected generator (default: "clemmys-<pid>-<n>")
// so tests can pre-populate a fake entry. The generation is checked before and
// after reading, as the kernel ABI asks, so a concurrent writer is detected
// (tee.tsm_raced). attest() adds, for snp, the certificates of the auxblob's
// table, then what is still missing from the collateral cache (DIR/tdx/ or
// DIR/snp/) when one is given. Errors: tee.tsm_unavailable, tee.tsm_io,
// tee.tsm_raced, tee.tsm_empty_outblob.
class ConfigfsTsmAttester final : public Attester {
 public:
  using EntryNamer = std::function<std::string()>;
  // `type` is "tdx" or "snp" (what the verifier expects; the provider file is
  // reported in TsmReport, not trusted).
  explicit ConfigfsTsmAttester(std::string root = "/sys/kernel/config/tsm/report",
                               std::string type = "tdx", EntryNamer namer = {},
                               std::optional<CollateralCache> cache = {});
  std::string type() const override { return type_; }
  Result<std::string> evidence(const ReportData& reportData) override;
  Result<Evidence> attest(const ReportData& reportData) override;
  Result<TsmReport> report(const ReportData& reportData);

 private:
  std::string root_;
  std::string type_;
  EntryNamer namer_;
  std::optional<CollateralCache> cache_;
  uint64_t counter_ = 0;
  std::mutex mu_;
};

// Picks a backend by name: "sim" (simteeSocket, default from the
// CLEMMYS_SIMTEE_SOCKET the simtee puts in a launched process's environment),
// "sgx" (gramineRoot), "tdx"/"snp" (tsmRoot); the hardware backends read the
// collateral cache at collateralDir when it is not empty (--collateral-dir).
// Error: tee.unknown_backend.
struct AttesterConfig {
  std::string backend = "sim";
  std::string simteeSocket;
  std::string gramineRoot = "/dev/attestation";
  std::string tsmRoot = "/sys/kernel/config/tsm/report";
  std::string collateralDir;
};
Result<std::unique_ptr<Attester>> makeAttester(const AttesterConfig& config);

}  // namespace clemmys::tee
