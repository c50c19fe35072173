// Test-only access to PrivateFiles: a directory used as is, without a mount, for
// tests of the logic around it. Header-only and included by tests alone, so no
// trusted binary carries it (scripts/tcb.sh --check refuses test-only symbols).
#pragma once

#include <string>
#include <utility>

#include "runtime/private_files.h"

namespace clemmys::runtime {

struct PrivateFilesForTesting {
  static PrivateFiles unmounted(std::string dir) {
    PrivateFiles out;
    out.dir_ = std::move(dir);
    out.available_ = true;
    out.reason_.clear();
    return out;
  }
};

}  // namespace clemmys::runtime
