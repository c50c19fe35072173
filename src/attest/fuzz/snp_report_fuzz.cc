// libFuzzer target: the SEV-SNP report parser.
#include "attest/snp_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)clemmys::attest::parseSnpReport(clemmys::crypto::ByteView(data, size));
  return 0;
}
