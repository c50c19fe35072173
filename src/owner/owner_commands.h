// `clemmys owner init | verify-kms URL | apply POLICY | show | history`: the owner's
// side of a deployment whose provider runs `clemmys up --provider` (doc/deploy.md).
// Thread safety: one command per process.
#pragma once

#include <ostream>

namespace clemmys::owner {

// argv[0]="clemmys", argv[1]="owner". Exit 0 on success, 1 on a named error, 2 on usage.
int ownerCommand(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace clemmys::owner
