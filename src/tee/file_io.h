// Small whole-file helpers for the pseudo-file TEE interfaces (Gramine's
// /dev/attestation, configfs-tsm). Each call opens, transfers everything and
// closes; short writes are errors because these interfaces take one write.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace clemmys::tee {

// Errors carry `errorName` and the path.
Result<std::string> readWholeFile(const std::string& path, const std::string& errorName);
Status writeWholeFile(const std::string& path, std::string_view data, const std::string& errorName);

}  // namespace clemmys::tee
