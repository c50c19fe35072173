// libFuzzer target: the DCAP quote parser must refuse or accept any input
// without crashing or reading out of bounds.
#include "attest/dcap_quote.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)clemmys::attest::parseDcapQuote(clemmys::crypto::ByteView(data, size));
  return 0;
}
