// Schema migrations of the controller store, applied in order inside one
// transaction each; meta.schema_version records how many have been applied.
// Never edit an entry once released: append a new one.
#pragma once

#include <span>
#include <string_view>

namespace clemmys::store {

// Entry i migrates schema version i to version i + 1.
std::span<const std::string_view> migrations();

}  // namespace clemmys::store
