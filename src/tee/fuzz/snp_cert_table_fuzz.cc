// libFuzzer target: the SEV-SNP certificate table of configfs-tsm's auxblob,
// which the untrusted host supplies (tee::parseSnpCertTable).
#include <string_view>

#include "tee/collateral_cache.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto table = clemmys::tee::parseSnpCertTable(std::string_view(reinterpret_cast<const char*>(data), size));
  // A table that parses yields ASK ‖ ARK together or not at all, and never DCAP inputs.
  if (table && table->collateralJson) __builtin_trap();
  return 0;
}
