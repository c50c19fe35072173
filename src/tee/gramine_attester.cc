// GramineAttester (attester.h): Gramine's /dev/attestation pseudo-files.
#include <string_view>

#include "tee/attester.h"
#include "tee/file_io.h"

namespace clemmys::tee {

GramineAttester::GramineAttester(std::string root, std::optional<CollateralCache> cache)
    : root_(std::move(root)), cache_(std::move(cache)) {}

Result<Evidence> GramineAttester::attest(const ReportData& reportData) {
  auto quote = evidence(reportData);
  if (!quote) return std::unexpected(quote.error());
  auto inputs = completeInputs(cache_ ? &*cache_ : nullptr, type(), {});
  if (!inputs) return std::unexpected(inputs.error());
  return Evidence{std::move(*quote), std::move(*inputs)};
}

Result<std::string> GramineAttester::evidence(const ReportData& reportData) {
  std::lock_guard lock(mu_);
  // attestation_type says whether Gramine was built/configured for DCAP; a
  // manifest with sgx.remote_attestation = "none" has no quote to give.
  auto type = readWholeFile(root_ + "/attestation_type", "tee.gramine_unavailable");
  if (!type) return std::unexpected(type.error());
  std::string_view t = *type;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\0')) t.remove_suffix(1);
  if (t != "dcap") return fail("tee.gramine_unavailable", "attestation_type is \"" + std::string(t) + "\", not dcap");
  std::string_view rd(reinterpret_cast<const char*>(reportData.data()), reportData.size());
  if (auto st = writeWholeFile(root_ + "/user_report_data", rd, "tee.gramine_io"); !st) return std::unexpected(st.error());
  auto quote = readWholeFile(root_ + "/quote", "tee.gramine_io");
  if (!quote) return std::unexpected(quote.error());
  if (quote->empty()) return fail("tee.gramine_empty_quote", "Gramine returned an empty quote");
  return quote;
}

}  // namespace clemmys::tee
