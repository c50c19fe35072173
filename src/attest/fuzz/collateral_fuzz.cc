// libFuzzer target: the DCAP collateral bundle and the signed TCB Info / QE
// Identity JSON parsers.
#include <string_view>

#include "attest/dcap_collateral.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)clemmys::attest::parseDcapCollateral(text);
  (void)clemmys::attest::parseTcbInfo(text);
  (void)clemmys::attest::parseQeIdentity(text);
  return 0;
}
