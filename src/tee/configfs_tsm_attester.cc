// ConfigfsTsmAttester (attester.h): the kernel's configfs-tsm report interface
// (Documentation/ABI/testing/configfs-tsm).
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "tee/attester.h"
#include "tee/file_io.h"

namespace clemmys::tee {
namespace {

Result<uint64_t> readGeneration(const std::string& entry) {
  auto text = readWholeFile(entry + "/generation", "tee.tsm_io");
  if (!text) return std::unexpected(text.error());
  char* end = nullptr;
  errno = 0;
  unsigned long long g = std::strtoull(text->c_str(), &end, 10);
  if (errno != 0 || end == text->c_str()) return fail("tee.tsm_io", "generation is not a number");
  return static_cast<uint64_t>(g);
}

}  // namespace

ConfigfsTsmAttester::ConfigfsTsmAttester(std::string root, std::string type, EntryNamer namer,
                                         std::optional<CollateralCache> cache)
    : root_(std::move(root)), type_(std::move(type)), namer_(std::move(namer)), cache_(std::move(cache)) {}

Result<Evidence> ConfigfsTsmAttester::attest(const ReportData& reportData) {
  auto r = report(reportData);
  if (!r) return std::unexpected(r.error());
  VerifierInputs fromTee;
  if (type_ == "snp") {
    auto table = parseSnpCertTable(r->auxblob);
    if (!table) return std::unexpected(table.error());
    fromTee = std::move(*table);
  }
  auto inputs = completeInputs(cache_ ? &*cache_ : nullptr, type_, std::move(fromTee));
  if (!inputs) return std::unexpected(inputs.error());
  return Evidence{std::move(r->outblob), std::move(*inputs)};
}

Result<std::string> ConfigfsTsmAttester::evidence(const ReportData& reportData) {
  auto r = report(reportData);
  if (!r) return std::unexpected(r.error());
  return std::move(r->outblob);
}

Result<TsmReport> ConfigfsTsmAttester::report(const ReportData& reportData) {
  std::lock_guard lock(mu_);
  struct stat st{};
  if (::stat(root_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail("tee.tsm_unavailable", root_ + " is not a directory (no configfs-tsm, or not a TEE guest)");
  }
  std::string name = namer_ ? namer_() : "clemmys-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++);
  std::string entry = root_ + "/" + name;
  // A fresh entry is private to us; an existing one (another user's, or a
  // test's fake) is still usable because the generation check below detects
  // any interleaved write.
  if (::mkdir(entry.c_str(), 0700) != 0 && errno != EEXIST) {
    return fail("tee.tsm_io", "mkdir " + entry + ": " + std::strerror(errno));
  }
  std::string_view rd(reinterpret_cast<const char*>(reportData.data()), reportData.size());
  Result<TsmReport> out = [&]() -> Result<TsmReport> {
    if (auto w = writeWholeFile(entry + "/inblob", rd, "tee.tsm_io"); !w) return std::unexpected(w.error());
    auto before = readGeneration(entry);
    if (!before) return std::unexpected(before.error());
    TsmReport r;
    auto outblob = readWholeFile(entry + "/outblob", "tee.tsm_io");
    if (!outblob) return std::unexpected(outblob.error());
    r.outblob = std::move(*outblob);
    if (auto aux = readWholeFile(entry + "/auxblob", "tee.tsm_io")) r.auxblob = std::move(*aux);
    if (auto provider = readWholeFile(entry + "/provider", "tee.tsm_io")) {
      r.provider = *provider;
      while (!r.provider.empty() && r.provider.back() == '\n') r.provider.pop_back();
    }
    auto after = readGeneration(entry);
    if (!after) return std::unexpected(after.error());
    if (*after != *before) return fail("tee.tsm_raced", "report entry was rewritten while reading it");
    r.generation = *after;
    if (r.outblob.empty()) return fail("tee.tsm_empty_outblob", "provider returned no report");
    return r;
  }();
  ::rmdir(entry.c_str());  // configfs removes the entry; a fake directory keeps its files
  return out;
}

}  // namespace clemmys::tee
