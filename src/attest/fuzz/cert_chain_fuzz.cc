// libFuzzer target: PEM chain and DER certificate parsing, and the PCK SGX
// extension decoder on whatever certificate parses.
#include <string_view>

#include "attest/pck_extensions.h"
#include "crypto/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto chain = clemmys::crypto::Certificate::chainFromPem(text)) {
    for (const auto& c : *chain) (void)clemmys::attest::parsePckExtensions(c);
  }
  if (auto cert = clemmys::crypto::Certificate::fromDer(clemmys::crypto::ByteView(data, size))) {
    (void)clemmys::attest::parsePckExtensions(*cert);
  }
  return 0;
}
