// libFuzzer target: the envelope parser, the message-body parser and the runtime's
// acceptance path must refuse any input with a named error, never crash.
#include <cstddef>
#include <cstdint>

#include "common/clock.h"
#include "envelope/checks.h"

using namespace clemmys;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static envelope::KeyRing* keys = [] {
    auto* k = new envelope::KeyRing();
    k->add(1, crypto::SecretBytes(32));
    return k;
  }();
  static FakeClock clock;
  crypto::ByteView bytes(data, size);
  (void)envelope::parse(bytes);
  (void)envelope::decodeMessageBody(bytes);
  envelope::InvokeGuard guard(*keys, clock, {"/guest/f", {}});
  (void)guard.accept(bytes);
  return 0;
}
