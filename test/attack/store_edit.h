// Direct edits of the controller's SQLite database (doc/formats/store-schema.md),
// as the host's root could make them while the controller is stopped (it holds
// the file in EXCLUSIVE locking mode while running).
// Thread safety: plain functions; one caller per database file at a time.
#pragma once

#include <string>

#include "common/error.h"

namespace clemmys::attack {

// "uuid:key" of the guest subject. Error: store_edit.*.
Result<std::string> guestAuth(const std::string& dbPath);
// actions.doc of (namespace, name), JSON text.
Result<std::string> actionDoc(const std::string& dbPath, const std::string& ns, const std::string& name);
// Overwrites actions.doc (the revision is left as it was: the attacker need not care).
Status setActionDoc(const std::string& dbPath, const std::string& ns, const std::string& name,
                    const std::string& doc);

}  // namespace clemmys::attack
