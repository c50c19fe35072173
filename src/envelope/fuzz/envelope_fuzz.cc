// libFuzzer target: the envelope parser, the message-body and LOG-body parsers and
// the runtime's acceptance path must refuse any input with a named error, never crash.
#include <cstddef>
#include <cstdint>

#include "common/clock.h"
#include "envelope/checks.h"
#include "envelope/log_order.h"

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
  if (auto line = envelope::decodeLogBody(bytes)) {
    envelope::LogOrder order(envelope::LogCounts{1, 1});
    order.add(*line);
    (void)order.check();
  }
  envelope::InvokeGuard guard(*keys, clock, {"/guest/f", {}}, envelope::kMaxLifetimeMs);
  (void)guard.accept(bytes);
  return 0;
}
